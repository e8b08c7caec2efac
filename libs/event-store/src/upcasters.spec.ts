import { UpcasterRegistry } from './upcasters';
import type { RecordedEvent } from './event-store.port';

const event = (type: string, schemaVersion: number, data: Record<string, unknown>): RecordedEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  type,
  schemaVersion,
  data,
  metadata: {},
  streamId: 'child-1',
  revision: 0,
  position: '1:1',
  recordedAt: new Date(0),
});

describe(UpcasterRegistry.name, () => {
  const registry = new UpcasterRegistry([
    { eventType: 'ChildRegistered', fromVersion: 1, upcast: (d) => ({ ...d, fullName: `${d['familyName']} ${d['givenName']}` }) },
    { eventType: 'ChildRegistered', fromVersion: 2, upcast: ({ familyName, givenName, ...rest }) => ({ ...rest, sex: rest['sex'] ?? 'unknown' }) },
  ]);

  it('chains upcasters from an old version to the current one', () => {
    const up = registry.upcast(event('ChildRegistered', 1, { familyName: 'Nguyễn', givenName: 'Hà' }));
    expect(up.schemaVersion).toBe(3);
    expect(up.data).toEqual({ fullName: 'Nguyễn Hà', sex: 'unknown' });
  });

  it('leaves current versions and other types untouched', () => {
    const current = event('ChildRegistered', 3, { fullName: 'A' });
    expect(registry.upcast(current)).toBe(current);
    const other = event('CaseOpened', 1, { x: 1 });
    expect(registry.upcast(other)).toBe(other);
  });

  it('refuses two upcasters for the same type and version', () => {
    expect(() => registry.register({ eventType: 'ChildRegistered', fromVersion: 1, upcast: (d) => d })).toThrow(/two upcasters/);
  });
});

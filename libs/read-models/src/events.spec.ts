import type { RecordedEvent } from '@childledger/event-store';
import { asCaseEvent, asChildEvent, ProjectedChildEvent } from './events';

const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  id: 'e1',
  type,
  schemaVersion: 1,
  data,
  metadata: { actor: { userId: 'u', role: 'data_officer' }, correlationId: 'c' } as RecordedEvent['metadata'],
  streamId: 'child-c1',
  revision: 1,
  position: '1',
  recordedAt: new Date('2025-09-01T03:00:00Z'),
});

describe("projections read events through the domain's event types", () => {
  it('narrows a stored event to the domain union by its type, and gives null for a type the domain does not define', () => {
    const moved = asChildEvent(
      recorded('ResidenceChanged', {
        childId: 'c1',
        communeCode: '00008',
        effectiveFrom: '2025-09-01',
        previousCommuneCode: '00004',
        recordedAt: '2025-09-01T03:00:00Z',
      }),
    );
    expect(moved?.type).toBe('ResidenceChanged');
    if (moved?.type === 'ResidenceChanged') expect(moved.data.communeCode).toBe('00008');
    expect(asChildEvent(recorded('NationalIdCheckRequested', {}))).toBeNull();
    expect(asChildEvent(recorded('CaseOpened', {}))).toBeNull();
    expect(asCaseEvent(recorded('CaseOpened', {}))?.type).toBe('CaseOpened');
    expect(asCaseEvent(recorded('ChildRegistered', {}))).toBeNull();
  });

  it('types the fields (checked by tsc -p tsconfig.check.json): a field the domain does not define does not compile, an erased personal part may be null', () => {
    const e = asChildEvent(
      recorded('ChildRegistered', {
        childId: 'c1',
        sex: 'F',
        residence: { communeCode: '00004', effectiveFrom: '2025-09-01' },
        registeredAt: 'x',
        personal: null,
      }),
    )!;
    const fields = (ev: ProjectedChildEvent): unknown[] => {
      if (ev.type !== 'ChildRegistered') return [];
      // @ts-expect-error -- `communeCode` is under `residence`: a renamed or misplaced field fails to compile.
      const wrong: unknown = ev.data.communeCode;
      // @ts-expect-error -- the personal part is null once erased: it must be checked before use.
      const name: string = ev.data.personal.fullName;
      return [wrong, name, ev.data.residence.communeCode];
    };
    expect(() => fields(e)).toThrow(TypeError); // personal is null here: the check the types ask for is real
    expect(e.type === 'ChildRegistered' && e.data.personal).toBeNull();
  });
});

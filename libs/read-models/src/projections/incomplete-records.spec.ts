import { loadAdministrativeUnits } from '@childledger/admin-units';
import type { RecordedEvent } from '@childledger/event-store';
import { UnitResolver } from '../unit-resolver';
import { ChildDoc, evolveChild } from './children.projection';

// An incomplete record (docs/events.md): a ChildRegistered without a sex, or with the stated personal
// ID kept aside. The children read model takes the sex as unknown and never copies the number kept aside.
const units = new UnitResolver(loadAdministrativeUnits());
const ev = (type: string, data: Record<string, unknown>, revision: number): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
  type,
  schemaVersion: 1,
  data,
  metadata: {},
  streamId: 'child-k',
  revision,
  position: `1:${revision}`,
  recordedAt: new Date('2025-09-01T03:00:00Z'),
});

describe('children projection: incomplete records', () => {
  it('projects a registration without a sex as sex NULL, leaves the number kept aside out, and takes the sex from a later correction', () => {
    const d: ChildDoc = { child: undefined, open: new Map(), queue: new Map() };
    evolveChild(
      d,
      ev(
        'ChildRegistered',
        {
          childId: 'k',
          incomplete: ['sex', 'personalId'],
          residence: { communeCode: '00004', effectiveFrom: '2025-08-01' },
          registeredAt: '2025-09-01T03:00:00Z',
          personal: { fullName: 'Lê Thị Kim', dateOfBirth: '2015-01-01', unverifiedPersonalId: '001185012345' },
        },
        1,
      ),
      units,
    );
    expect(d.child).toMatchObject({ sex: null, commune_code: '00004', personal: { fullName: 'Lê Thị Kim', dateOfBirth: '2015-01-01' } });
    expect(JSON.stringify(d.child)).not.toContain('001185012345');
    evolveChild(
      d,
      ev(
        'ChildDetailsCorrected',
        { childId: 'k', correctedFields: ['sex'], sex: 'F', personal: { reason: 'bổ sung' }, correctedAt: '2025-09-02T00:00:00Z' },
        2,
      ),
      units,
    );
    expect(d.child).toMatchObject({ sex: 'F' });
  });

  it('lists the record as work to finish (queue reason incomplete, the fields only) until each field is completed', () => {
    const d: ChildDoc = { child: undefined, open: new Map(), queue: new Map() };
    const registered = ev(
      'ChildRegistered',
      {
        childId: 'k',
        incomplete: ['sex', 'personalId'],
        residence: { communeCode: '00004', effectiveFrom: '2025-08-01' },
        registeredAt: '2025-09-01T03:00:00Z',
        personal: { fullName: 'Lê Thị Kim', dateOfBirth: '2015-01-01', unverifiedPersonalId: '001185012345' },
      },
      1,
    );
    const first = evolveChild(d, registered, units);
    expect(d.queue.get('incomplete')).toMatchObject({ reason: 'incomplete', detail: 'sex,personalId', commune_code: '00004', source: 'registration' });
    expect(first.queueUpserts.map((r) => r.reason)).toEqual(['incomplete']);
    // Nothing personal in the work list: the fields' names only.
    expect(JSON.stringify([...d.queue.values()])).not.toMatch(/001185012345|Kim/);
    const sex = evolveChild(
      d,
      ev(
        'ChildDetailsCorrected',
        { childId: 'k', correctedFields: ['sex'], sex: 'M', personal: { reason: 'bổ sung' }, correctedAt: '2025-09-02T00:00:00Z' },
        2,
      ),
      units,
    );
    expect(d.queue.get('incomplete')?.detail).toBe('personalId');
    expect(sex.queueUpserts.map((r) => r.detail)).toEqual(['personalId']);
    const linked = evolveChild(
      d,
      ev('NationalIdLinked', { childId: 'k', source: 'officer', linkedAt: '2025-09-03T00:00:00Z', personal: { personalId: '001215000777' } }, 3),
      units,
    );
    expect(d.queue.has('incomplete')).toBe(false);
    expect(linked.queueDeletes.map((r) => r.reason)).toEqual(['incomplete']);
  });

  it('does not list a complete record', () => {
    const d: ChildDoc = { child: undefined, open: new Map(), queue: new Map() };
    evolveChild(
      d,
      ev(
        'ChildRegistered',
        {
          childId: 'c',
          sex: 'F',
          residence: { communeCode: '00004', effectiveFrom: '2025-08-01' },
          registeredAt: '2025-09-01T03:00:00Z',
          personal: { fullName: 'Lê Thị Lan' },
        },
        1,
      ),
      units,
    );
    expect(d.queue.size).toBe(0);
  });
});

import { loadAdministrativeUnits } from '@childledger/admin-units';
import type { RecordedEvent } from '@childledger/event-store';
import { childAsOf, effectiveDay } from './as-of';
import { parsePeriod } from './indicators';
import { addDays, vietnamDay } from './projection';
import { auditEntry } from './projections/audit.projection';
import { evolveCase, nextDueAt } from './projections/cases.projection';
import { ChildDoc, evolveChild } from './projections/children.projection';
import { UnitResolver } from './unit-resolver';

const units = new UnitResolver(loadAdministrativeUnits());
let seq = 0;
function ev(type: string, data: Record<string, unknown>, extra: Partial<RecordedEvent> = {}): RecordedEvent {
  seq++;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    data,
    metadata: {},
    streamId: `child-${String(data['childId'])}`,
    revision: seq,
    position: `1:${seq}`,
    recordedAt: new Date('2025-09-01T03:00:00Z'),
    ...extra,
  };
}
const registered = (communeCode: string, effectiveFrom: string) =>
  ev('ChildRegistered', {
    childId: 'k',
    sex: 'F',
    residence: { communeCode, effectiveFrom },
    registeredAt: '2025-09-01T03:00:00Z',
    personal: { fullName: 'Lê Thị Kim', dateOfBirth: '2015-01-01', notes: 'x' },
  });
const doc = (): ChildDoc => ({ child: undefined, open: new Map(), queue: new Map() });

describe(UnitResolver.name, () => {
  it("places an old code in today's unit, keeps the same code when a successor has it, else the first the mapping lists; flags splits only", () => {
    expect(units.place('00006', '2024-01-01')).toMatchObject({ communeCode: '00008', oldCommuneCode: '00006', provinceCode: '01', ambiguous: false });
    expect(units.place('00007', '2024-01-01')).toMatchObject({ communeCode: '00008', candidates: ['00008', '00025'], ambiguous: true });
    expect(units.place('00025', '2024-01-01')).toMatchObject({ communeCode: '00025', ambiguous: true });
    // The same digits after the reform are the new ward; its old unit is the former ward that kept the code.
    expect(units.place('00004', '2025-08-01')).toMatchObject({ communeCode: '00004', oldCommuneCode: '00004', ambiguous: false });
    expect(units.place('00097', '2025-08-01')).toMatchObject({ communeCode: '00097', oldCommuneCode: '00097', oldProvinceCode: '01' });
    expect(units.place('99999', '2025-08-01')).toMatchObject({ communeCode: '99999', provinceCode: null, oldCommuneCode: null });
  });
});

describe(evolveChild.name, () => {
  it('opens and closes spells with inclusive last days, and queues a split residence until a certain one is recorded', () => {
    const d = doc();
    evolveChild(d, registered('00007', '2024-02-01'), units);
    expect(d.queue.get('residence_split')).toBeDefined();
    evolveChild(d, ev('SpecialCircumstanceIdentified', { childId: 'k', group: 3, effectiveFrom: '2024-03-01' }), units);
    const ended = evolveChild(d, ev('SpecialCircumstanceEnded', { childId: 'k', group: 3, effectiveTo: '2024-06-30' }), units);
    expect(ended.spells[0]).toMatchObject({ kind: 'circumstance', grp: 3, effective_from: '2024-03-01', effective_to: '2024-06-30', is_open: false });
    const moved = evolveChild(
      d,
      ev('ResidenceChanged', { childId: 'k', communeCode: '00025', effectiveFrom: '2025-08-01', previousCommuneCode: '00007' }),
      units,
    );
    expect(moved.spells.map((s) => [s.effective_from, s.effective_to])).toEqual([
      ['2024-02-01', '2025-07-31'],
      ['2025-08-01', null],
    ]);
    expect(moved.queueDeletes.map((q) => q.reason)).toEqual(['residence_split']);
    expect(d.child).toMatchObject({ commune_code: '00025', circumstances: [], residence_ambiguous: false });
  });

  it('applies corrections (null removes a field), and never fails on events whose personal data was erased', () => {
    const d = doc();
    evolveChild(d, registered('00004', '2025-08-01'), units);
    evolveChild(
      d,
      ev('ChildDetailsCorrected', {
        childId: 'k',
        correctedFields: ['fullName', 'notes'],
        personal: { fullName: 'Lê Thị Kim Anh', notes: null },
        reason: 'typo',
        correctedAt: '2025-09-02T00:00:00Z',
      }),
      units,
    );
    expect(d.child!.personal).toEqual({ fullName: 'Lê Thị Kim Anh', dateOfBirth: '2015-01-01' });
    evolveChild(
      d,
      ev('NationalIdLinked', { childId: 'k', source: 'officer', linkedAt: '2025-09-03T00:00:00Z', personal: null }, { metadata: { personalDataErased: true } }),
      units,
    );
    expect(d.child).toMatchObject({ personal: null, personal_erased: true, national_id_state: 'linked' });
    const fresh = doc();
    evolveChild(fresh, { ...registered('00004', '2025-08-01'), data: { ...registered('00004', '2025-08-01').data, personal: null } }, units);
    expect(fresh.child).toMatchObject({ personal: null, personal_erased: true, commune_code: '00004' });
  });

  it('ignores events of unknown types and events before a registration', () => {
    const d = doc();
    expect(evolveChild(d, ev('SomethingNew', { childId: 'k' }), units).child).toBeUndefined();
    evolveChild(d, registered('00004', '2025-08-01'), units);
    const before = JSON.stringify(d.child);
    evolveChild(d, ev('NationalRegistryQueried', { childId: 'k', outcome: 'no_match' }), units);
    expect({ ...JSON.parse(JSON.stringify(d.child)), revision: 0 }).toEqual({ ...JSON.parse(before), revision: 0 });
  });
});

describe(evolveCase.name, () => {
  it('follows the case steps and records the deadline it waits for', () => {
    const open = ev('CaseOpened', {
      caseId: 'c',
      childId: 'k',
      channel: 'school',
      concern: 'neglect',
      protectionLevel: 'support',
      reportedAt: '2025-09-01T01:00:00Z',
      openedAt: '2025-09-01T02:00:00Z',
      assessmentDueAt: '2025-09-02T01:00:00Z',
      personal: { description: 'd' },
    });
    let { row, fact } = evolveCase(undefined, open);
    expect(fact).toMatchObject({ kind: 'opened', occurred_on: '2025-09-01' });
    expect(row!.next_due_at).toBe('2025-09-02T01:00:00Z');
    ({ row, fact } = evolveCase(
      row,
      ev('CaseAssessed', {
        caseId: 'c',
        riskLevel: 'low',
        assessedAt: '2025-09-03T00:00:00Z',
        dueAt: '2025-09-02T01:00:00Z',
        onTime: false,
        planDueAt: '2025-09-05T00:00:00Z',
        personal: {},
      }),
    ));
    expect(fact).toMatchObject({ kind: 'assessed', on_time: false });
    expect(row).toMatchObject({ status: 'assessed', next_due_at: '2025-09-05T00:00:00Z' });
    ({ row } = evolveCase(row, ev('CaseClosed', { caseId: 'c', outcome: 'no_protection_needed', closedAt: '2025-09-06T00:00:00Z' })));
    expect(nextDueAt(row!)).toBeNull();
  });
});

describe('audit entries', () => {
  it('keep who, why and correlation, and drop the personal part', () => {
    const e = ev(
      'NationalIdLinked',
      { childId: 'k', source: 'identity_adapter', personal: { personalId: '001315000001' } },
      {
        metadata: { actor: { userId: 'adapter', role: 'system', unit: '01' }, correlationId: 'corr', reason: 'match 0.97' },
        position: '77:1234',
      },
    );
    const row = auditEntry(e, () => null);
    expect(row).toMatchObject({
      position: 1234,
      child_id: 'k',
      actor_user_id: 'adapter',
      actor_role: 'system',
      actor_unit: '01',
      reason: 'match 0.97',
      correlation_id: 'corr',
    });
    expect(JSON.stringify(row)).not.toContain('001315000001');
  });
});

describe('periods and dates', () => {
  it('parses years, quarters and months, and refuses anything else', () => {
    expect(parsePeriod('2024')).toEqual({ label: '2024', from: '2024-01-01', to: '2024-12-31' });
    expect(parsePeriod('2024-Q1')).toEqual({ label: '2024-Q1', from: '2024-01-01', to: '2024-03-31' });
    expect(parsePeriod('2024-02')).toEqual({ label: '2024-02', from: '2024-02-01', to: '2024-02-29' });
    for (const bad of ['24', '2024-Q5', '2024-13', '2024/01', '']) expect(parsePeriod(bad)).toBeNull();
    expect(vietnamDay('2025-06-30T17:30:00Z')).toBe('2025-07-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
  });

  it('dates events for effective-time replays: corrections always hold, an end holds from the next day', () => {
    expect(effectiveDay(ev('ChildDetailsCorrected', { childId: 'k' }))).toBe('0000-01-01');
    expect(effectiveDay(ev('SpecialCircumstanceEnded', { childId: 'k', effectiveTo: '2024-12-31' }))).toBe('2025-01-01');
    const events = [registered('00004', '2025-08-01'), ev('SpecialCircumstanceIdentified', { childId: 'k', group: 2, effectiveFrom: '2025-08-10' })];
    expect(childAsOf(events, '2025-08-05', 'effective', units).child).toMatchObject({ circumstances: [] });
    expect(childAsOf(events, '2025-08-10', 'effective', units).child).toMatchObject({ circumstances: [2] });
    expect(childAsOf(events, '2025-07-31', 'effective', units).child).toBeNull();
  });
});

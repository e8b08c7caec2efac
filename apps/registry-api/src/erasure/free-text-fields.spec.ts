import {
  CASE_EVENT_TYPES,
  caseDecider,
  CaseEvent,
  CHILD_EVENT_TYPES,
  childDecider,
  ChildEvent,
  DEFAULT_CASE_DEADLINES,
  PERSONAL_FIELDS,
} from '@childledger/domain';
import { LEGACY_PLAINTEXT_REASON_TYPES } from '@childledger/trust';

describe('free text and the encrypted part of the event', () => {
  it('the read path of old events knows exactly the event types whose reason moved under data.personal', () => {
    const moved = [...CHILD_EVENT_TYPES, ...CASE_EVENT_TYPES].filter((t) => PERSONAL_FIELDS[t].includes('personal.reason'));
    expect([...LEGACY_PLAINTEXT_REASON_TYPES].sort()).toEqual(moved.sort());
  });

  it('the deciders write no free text outside data.personal (the erasure’s legal reason aside)', () => {
    const now = new Date('2025-09-20T03:00:00.000Z');
    const units = { isCommuneValidOn: () => true, isKnownProvinceCode: () => true };
    const reason = 'Nguyễn Văn Tèo nhập trùng';
    let child = childDecider.initialState();
    const childEvents: ChildEvent[] = [];
    const run = (command: Parameters<typeof childDecider.decide>[0]) => {
      for (const e of childDecider.decide(command, child)) {
        childEvents.push(e);
        child = childDecider.evolve(child, e);
      }
    };
    const ctx = { now, units };
    run({
      type: 'RegisterChild',
      data: {
        childId: 'c1',
        fullName: 'Nguyễn Văn Tèo',
        dateOfBirth: '2016-01-01',
        sex: 'M',
        residence: { communeCode: '00004', effectiveFrom: '2016-01-01' },
      },
      context: ctx,
    });
    run({ type: 'CorrectChildDetails', data: { changes: { fullName: 'Nguyễn Văn Tí' }, reason }, context: ctx });
    run({ type: 'IdentifySpecialCircumstance', data: { group: 2, effectiveFrom: '2024-01-01' }, context: ctx });
    run({ type: 'EndSpecialCircumstance', data: { group: 2, effectiveTo: '2024-06-01', reason }, context: ctx });
    run({ type: 'RequestIdentityReview', data: { source: 'officer', reason }, context: ctx });
    run({ type: 'MergeChildRecords', data: { survivingChildId: 'c2', reason }, context: ctx });
    run({ type: 'RevertMerge', data: { reason }, context: ctx });
    for (const e of childEvents) {
      const { personal, ...rest } = e.data as Record<string, unknown>;
      expect({ type: e.type, clear: JSON.stringify(rest).includes('Tèo') || JSON.stringify(rest).includes('Tí') }).toEqual({ type: e.type, clear: false });
      if (PERSONAL_FIELDS[e.type].includes('personal.reason')) expect(personal).toMatchObject({ reason });
    }
    // Correcting records the reason, not a corrected field.
    expect(child).toMatchObject({ fullName: 'Nguyễn Văn Tí' });
    expect(child).not.toHaveProperty('reason');

    let kase = caseDecider.initialState();
    const caseCtx = { now, deadlines: DEFAULT_CASE_DEADLINES };
    const caseEvents: CaseEvent[] = [];
    for (const command of [
      {
        type: 'OpenCase',
        data: { caseId: 'k1', childId: 'c1', channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: '2025-09-20T01:00:00.000Z' },
      },
      { type: 'ReferCase', data: { sector: 'health', referredTo: 'Trạm y tế', reason } },
    ] as const) {
      for (const e of caseDecider.decide({ ...command, context: caseCtx } as Parameters<typeof caseDecider.decide>[0], kase)) {
        caseEvents.push(e);
        kase = caseDecider.evolve(kase, e);
      }
    }
    const referred = caseEvents.find((e) => e.type === 'CaseReferred')!;
    expect(referred.data).toMatchObject({ personal: { reason } });
    expect(referred.data).not.toHaveProperty('reason');
  });
});

import type { LedgerFixture } from './ledger-fixture';

const COMMUNES = ['00004', '00008', '00025', '00097'];
const OLD_COMMUNES = ['00006', '00007', '00001'];

/** A child's life written with the real deciders: ~6–12 events over a child stream and a case stream (crash tests, fault drills). */
export async function childStory(fx: LedgerFixture, n: number): Promise<void> {
  const id = `crash-${n}`;
  const old = n % 3 === 0;
  const from = old ? '2024-06-01' : '2025-08-01';
  const at = old ? '2024-06-01T03:00:00Z' : '2025-08-01T03:00:00Z';
  await fx.child(
    id,
    'RegisterChild',
    {
      childId: id,
      fullName: `Nguyễn Văn Số ${n}`,
      dateOfBirth: '2015-05-05',
      sex: 'M',
      residence: { communeCode: old ? OLD_COMMUNES[n % 3]! : COMMUNES[n % 4]!, effectiveFrom: from },
    },
    { at },
  );
  await fx.child(id, 'IdentifySpecialCircumstance', { group: ((n % 14) + 1) as 1, effectiveFrom: from }, { at });
  if (n % 2 === 0) await fx.child(id, 'IdentifyRisk', { group: 9, effectiveFrom: from, description: 'nguy cơ' }, { at });
  if (n % 4 === 0)
    await fx.child(id, 'RequestIdentityReview', { source: 'identity_adapter', reason: 'two candidates', candidateCount: 2 }, { at: '2025-08-02T03:00:00Z' });
  if (n % 5 === 0) await fx.child(id, 'ChangeResidence', { communeCode: COMMUNES[(n + 1) % 4]!, effectiveFrom: '2025-08-10' }, { at: '2025-08-10T03:00:00Z' });
  const caseId = `crash-case-${n}`;
  await fx.case(
    caseId,
    'OpenCase',
    {
      caseId,
      childId: id,
      channel: 'hotline_111',
      concern: 'neglect',
      protectionLevel: 'support',
      reportedAt: '2025-08-03T01:00:00Z',
      description: 'báo qua 111',
    },
    { at: '2025-08-03T02:00:00Z' },
  );
  await fx.case(caseId, 'AssessCase', { riskLevel: 'medium' }, { at: n % 3 ? '2025-08-03T05:00:00Z' : '2025-08-09T05:00:00Z' });
  if (n % 2 === 1) {
    await fx.case(
      caseId,
      'PlanIntervention',
      { interventionId: `${caseId}-i`, serviceType: 'health', provider: 'Trạm y tế', plannedStart: '2025-08-04', plannedEnd: '2025-08-20' },
      { at: '2025-08-04T02:00:00Z' },
    );
    await fx.case(caseId, 'DeliverIntervention', { interventionId: `${caseId}-i`, deliveredOn: '2025-08-15' }, { at: '2025-08-15T02:00:00Z' });
  }
  if (n % 7 === 0)
    await fx.child(id, 'ErasePersonalData', { reason: 'erasure request' }, { at: '2025-09-01T02:00:00Z', actor: { userId: 'admin', role: 'admin' } });
}

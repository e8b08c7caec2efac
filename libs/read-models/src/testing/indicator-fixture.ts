import type { LedgerFixture } from './ledger-fixture';

/**
 * A small ledger for hand-computed indicator expectations (docs/indicators.md walks through it).
 * Hà Nội (01). Pre-2025 communes: 00006 Vĩnh Phúc (→ 00008 Ngọc Hà), 00007 Cống Vị (split into
 * 00008 Ngọc Hà and 00025 Giảng Võ), 00004 Trúc Bạch (→ 00004 Ba Đình). Current communes: 00008,
 * 00004, 00025.
 *
 *  A  registered 2024-03-01 in old 00006; circumstance 1 from 2024-03-01; case 2025-02-10,
 *     assessed on time, intervention delivered 2025-03-01
 *  B  registered 2025-08-01 in 00008; circumstance 4 from 2025-08-01; national ID linked
 *  C  registered 2024-05-01 in old 00007 (split); risk 9 from 2024-05-01 resolved 2025-01-20;
 *     case 2025-01-05 assessed late, delivered 2025-01-15
 *  D  registered 2025-09-01 in 00004; circumstance 2 2025-09-01..2025-09-10; case 2025-09-02,
 *     assessed on time, closed 2025-09-20
 *  E  registered 2024-01-10 in old 00004; circumstance 3 2024-01-10..2024-12-31; moved to 00025
 *     on 2025-08-15
 *  F  registered 2025-08-05 in 00008 with circumstance 1, merged into A (a duplicate: not counted)
 *  G  registered 2025-08-10 in 00008; circumstance 5 from 2025-08-10; national ID linked; erased
 */
export const FIXTURE_IDS = { A: 'fx-a', B: 'fx-b', C: 'fx-c', D: 'fx-d', E: 'fx-e', F: 'fx-f', G: 'fx-g' } as const;

const at = (day: string, hour = 10) => `${day}T${String(hour - 7).padStart(2, '0')}:00:00.000Z`;

export async function writeIndicatorFixture(fx: LedgerFixture): Promise<void> {
  const { A, B, C, D, E, F, G } = FIXTURE_IDS;
  const register = (id: string, name: string, commune: string, from: string, dob = '2015-04-02', sex: 'M' | 'F' = 'F') =>
    fx.child(
      id,
      'RegisterChild',
      { childId: id, fullName: name, dateOfBirth: dob, sex, residence: { communeCode: commune, effectiveFrom: from } },
      { at: at(from) },
    );

  await register(E, 'Lê Văn Em', '00004', '2024-01-10', '2014-06-01', 'M');
  await fx.child(E, 'IdentifySpecialCircumstance', { group: 3, effectiveFrom: '2024-01-10' }, { at: at('2024-01-10', 11) });
  await register(A, 'Nguyễn Thị An', '00006', '2024-03-01');
  await fx.child(A, 'IdentifySpecialCircumstance', { group: 1, effectiveFrom: '2024-03-01' }, { at: at('2024-03-01', 11) });
  await register(C, 'Trần Văn Cường', '00007', '2024-05-01', '2013-01-09', 'M');
  await fx.child(C, 'IdentifyRisk', { group: 9, effectiveFrom: '2024-05-01', description: 'bị bạo lực gia đình' }, { at: at('2024-05-01', 11) });
  await fx.child(E, 'EndSpecialCircumstance', { group: 3, effectiveTo: '2024-12-31' }, { at: at('2025-01-03') });

  await fx.case(
    'fx-case-c',
    'OpenCase',
    {
      caseId: 'fx-case-c',
      childId: C,
      channel: 'hotline_111',
      concern: 'physical_abuse',
      protectionLevel: 'intervention',
      reportedAt: at('2025-01-05', 8),
      description: 'gọi 111',
    },
    { at: at('2025-01-05', 9) },
  );
  await fx.case('fx-case-c', 'AssessCase', { riskLevel: 'high' }, { at: at('2025-01-09') });
  await fx.case(
    'fx-case-c',
    'PlanIntervention',
    { interventionId: 'c-1', serviceType: 'psychosocial', provider: 'Trung tâm CTXH', plannedStart: '2025-01-10', plannedEnd: '2025-01-20' },
    { at: at('2025-01-09', 12) },
  );
  await fx.case('fx-case-c', 'DeliverIntervention', { interventionId: 'c-1', deliveredOn: '2025-01-15' }, { at: at('2025-01-15') });
  await fx.child(C, 'ResolveRisk', { group: 9, effectiveTo: '2025-01-20', outcome: 'removed_from_risk' }, { at: at('2025-01-20') });

  await fx.case(
    'fx-case-a',
    'OpenCase',
    { caseId: 'fx-case-a', childId: A, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: at('2025-02-10', 8) },
    { at: at('2025-02-10', 9) },
  );
  await fx.case('fx-case-a', 'AssessCase', { riskLevel: 'medium' }, { at: at('2025-02-10', 12) });
  await fx.case(
    'fx-case-a',
    'PlanIntervention',
    { interventionId: 'a-1', serviceType: 'education', provider: 'Trường TH', plannedStart: '2025-02-20', plannedEnd: '2025-03-05' },
    { at: at('2025-02-11') },
  );
  await fx.case('fx-case-a', 'DeliverIntervention', { interventionId: 'a-1', deliveredOn: '2025-03-01' }, { at: at('2025-03-01') });

  await register(B, 'Phạm Thị Bình', '00008', '2025-08-01', '2016-02-02');
  await fx.child(B, 'IdentifySpecialCircumstance', { group: 4, effectiveFrom: '2025-08-01' }, { at: at('2025-08-01', 11) });
  await fx.child(
    B,
    'LinkNationalId',
    { personalId: '001316000123', source: 'identity_adapter', matchScore: 0.97 },
    { at: at('2025-08-02'), actor: { userId: 'identity-adapter', role: 'system', unit: '01' } },
  );
  await register(F, 'Nguyen Thi An', '00008', '2025-08-05');
  await fx.child(F, 'IdentifySpecialCircumstance', { group: 1, effectiveFrom: '2025-08-05' }, { at: at('2025-08-05', 11) });
  await fx.child(F, 'MergeChildRecords', { survivingChildId: A, reason: 'hồ sơ trùng với fx-a' }, { at: at('2025-08-06'), reason: 'duplicate of fx-a' });
  await register(G, 'Đỗ Thị Giang', '00008', '2025-08-10', '2017-03-03');
  await fx.child(G, 'IdentifySpecialCircumstance', { group: 5, effectiveFrom: '2025-08-10' }, { at: at('2025-08-10', 11) });
  await fx.child(G, 'LinkNationalId', { personalId: '001317000456', source: 'officer' }, { at: at('2025-08-11') });
  await fx.child(E, 'ChangeResidence', { communeCode: '00025', effectiveFrom: '2025-08-15' }, { at: at('2025-08-15') });

  await register(D, 'Hoàng Văn Dũng', '00004', '2025-09-01', '2012-12-12', 'M');
  await fx.child(D, 'IdentifySpecialCircumstance', { group: 2, effectiveFrom: '2025-09-01' }, { at: at('2025-09-01', 11) });
  await fx.case(
    'fx-case-d',
    'OpenCase',
    { caseId: 'fx-case-d', childId: D, channel: 'community', concern: 'abandonment', protectionLevel: 'intervention', reportedAt: at('2025-09-02', 8) },
    { at: at('2025-09-02', 9) },
  );
  await fx.case('fx-case-d', 'AssessCase', { riskLevel: 'low' }, { at: at('2025-09-02', 12) });
  await fx.child(D, 'EndSpecialCircumstance', { group: 2, effectiveTo: '2025-09-10' }, { at: at('2025-09-10') });
  await fx.case('fx-case-d', 'CloseCase', { outcome: 'no_protection_needed' }, { at: at('2025-09-20') });

  await fx.child(
    G,
    'ErasePersonalData',
    { reason: 'yêu cầu xoá dữ liệu theo Nghị định 13' },
    { at: at('2025-10-01'), actor: { userId: 'admin-1', role: 'admin' }, reason: 'erasure request' },
  );
}

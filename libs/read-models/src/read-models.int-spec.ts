import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { computeIndicators, IndicatorResult, parsePeriod, storeReferenceVersion } from './indicators';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { childAsOf } from './as-of';
import { PROJECTIONS } from './projections';
import { ProjectionRunner } from './projection-runner';
import { dropShadows, rebuildProjections } from './rebuild';
import { ErasedReadsStore, FIXTURE_IDS, LedgerFixture, writeIndicatorFixture } from './testing';
import { UnitResolver } from './unit-resolver';

const units = loadAdministrativeUnits();
const resolver = new UnitResolver(units);

function values(r: IndicatorResult): Record<string, number | null> {
  return Object.fromEntries(r.indicators.map((i) => [i.indicator, i.value]));
}

describe("read models: projections from the real deciders' events", () => {
  let db: TestDatabase;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  let runner: ProjectionRunner;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
    pool = createPool(db.url);
    owner = createPool(db.url, { role: null, max: 3 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    const fx = new LedgerFixture(store, units);
    await writeIndicatorFixture(fx);
    await fx.backdate(owner);
    runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: resolver, batchSize: 7 });
    await runner.start();
    await runner.caughtUp();
  });

  afterAll(async () => {
    await runner.stop();
    await store.close();
    await pool.end();
    await owner.end();
    await db.drop();
  });

  const child = async (id: string) =>
    (await pool.query('SELECT *, residence_effective_from::text AS residence_effective_from FROM rm_children WHERE child_id = $1', [id])).rows[0];

  it("projects children: old codes placed in today's units, circumstances, risks, national ID, merges, erasure", async () => {
    const a = await child(FIXTURE_IDS.A);
    expect(a).toMatchObject({
      status: 'active',
      residence_commune_code: '00006',
      commune_code: '00008',
      province_code: '01',
      old_commune_code: '00006',
      circumstances: [1],
      risks: [],
    });
    expect(a.personal).toMatchObject({ fullName: 'Nguyễn Thị An', dateOfBirth: '2015-04-02' });
    const c = await child(FIXTURE_IDS.C);
    expect(c).toMatchObject({ commune_code: '00008', candidate_communes: ['00008', '00025'], residence_ambiguous: true, risks: [] });
    const e = await child(FIXTURE_IDS.E);
    expect(e).toMatchObject({ commune_code: '00025', old_commune_code: '00025', residence_effective_from: '2025-08-15', circumstances: [] });
    expect(await child(FIXTURE_IDS.F)).toMatchObject({ status: 'merged', merged_into: FIXTURE_IDS.A });
    expect(await child(FIXTURE_IDS.B)).toMatchObject({ national_id_state: 'linked', national_id_source: 'identity_adapter' });
    const g = await child(FIXTURE_IDS.G);
    expect(g).toMatchObject({ status: 'erased', personal: null, personal_erased: true, circumstances: [5], national_id_state: 'linked' });
    const queue = (await pool.query('SELECT child_id, reason FROM rm_reconciliation_queue ORDER BY child_id')).rows;
    expect(queue).toEqual([{ child_id: FIXTURE_IDS.C, reason: 'residence_split' }]);
  });

  it('projects cases with their step, deadlines and facts', async () => {
    const cases = (await pool.query('SELECT case_id, child_id, status, assessed_on_time, personal, next_due_at FROM rm_cases ORDER BY case_id')).rows;
    expect(cases.map((c) => [c.case_id, c.status, c.assessed_on_time])).toEqual([
      ['fx-case-a', 'implementing', true],
      ['fx-case-c', 'implementing', false],
      ['fx-case-d', 'closed', true],
    ]);
    expect(cases[1].personal).toEqual({ description: 'gọi 111' });
    expect(cases[2].next_due_at).toBeNull();
    const facts = (await pool.query(`SELECT kind, count(*)::int AS n FROM rm_case_facts GROUP BY kind ORDER BY kind`)).rows;
    expect(facts).toEqual([
      { kind: 'assessed', n: 3 },
      { kind: 'closed', n: 1 },
      { kind: 'delivered', n: 2 },
      { kind: 'opened', n: 3 },
    ]);
  });

  it('indexes every event for the audit trail, with actor, reason and correlation id, and no personal data', async () => {
    const total = (await store.readAll({ maxCount: 10_000 })).events.length;
    const rows = (await pool.query('SELECT * FROM rm_audit_index ORDER BY position')).rows;
    expect(rows).toHaveLength(total);
    const merge = rows.find((r) => r.event_type === 'ChildRecordsMerged');
    expect(merge).toMatchObject({ child_id: FIXTURE_IDS.F, actor_user_id: 'fixture-officer', actor_role: 'data_officer', reason: 'duplicate of fx-a' });
    expect(merge.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    const link = rows.find((r) => r.event_type === 'NationalIdLinked' && r.child_id === FIXTURE_IDS.B);
    expect(link).toMatchObject({ actor_user_id: 'identity-adapter', actor_unit: '01' });
    // A case's later events name no child: the index learns it from CaseOpened.
    expect(rows.find((r) => r.event_type === 'CaseClosed')).toMatchObject({ child_id: FIXTURE_IDS.D, case_id: 'fx-case-d' });
    expect(JSON.stringify(rows)).not.toContain('Nguyễn Thị An');
    expect(JSON.stringify(rows)).not.toContain('001316000123');
  });

  it('computes indicators as hand-computed for a commune, a province and the pre-2025 units (docs/indicators.md)', async () => {
    await storeReferenceVersion(pool, 'population', [{ unitCode: '00008', period: '2025', indicator: '', value: 800 }], 'test');
    await storeReferenceVersion(pool, 'population', [{ unitCode: '00008', period: '2025', indicator: '', value: 1000 }], 'test');
    await storeReferenceVersion(pool, 'target', [{ unitCode: '00008', period: '2025', indicator: 'sc_supported_share', value: 98 }], 'test');
    const year = parsePeriod('2025')!;
    const ngocHa = await computeIndicators(pool, { unitCode: '00008', provinceCode: '01', period: year, oldUnits: false, suppressSmallCounts: false });
    expect(ngocHa.childrenOnRecord).toBe(4); // A, B, C, G (F merged; D in 00004; E moved to 00025)
    expect(ngocHa.childPopulation).toEqual({ value: 1000, version: 2 });
    expect(values(ngocHa)).toEqual({
      sc_children: 3, // A, B, G
      sc_rate: 0.3, // 3 / 1000
      sc_supported_share: 33.33, // A of A, B, G
      at_risk_children: 1, // C
      at_risk_supported_share: 100,
      cases_opened: 2, // A, C
      cases_closed: 0,
      assessed_on_time_share: 50, // A on time, C late
      national_id_linked_share: 50, // B, G of 4
      abuse_new_cases: 0, // C's group 9 is a risk, not a circumstance
      at_risk_removed: 1, // C, resolved 2025-01-20 removed from risk
      at_risk_removed_share: 100,
      cases_resolved_share: null, // nothing closed
      abuse_assessed_on_time_share: 0, // C's case (physical abuse) assessed late
      median_days_to_assessment: 2, // A the same day (0), C 4 days after the report: (0 + 4) / 2
      interventions_on_time_share: 100, // A by 2025-03-05, C by 2025-01-20
      referrals: 0,
      referrals_health: 0,
      referrals_education: 0,
      referrals_justice: 0,
      referrals_public_security: 0,
      referrals_social_affairs: 0,
      referrals_other: 0,
      children_registered: 2, // B, G (A and C in 2024)
      registered_national_id_share: 100, // both linked
    });
    expect(ngocHa.indicators.find((i) => i.indicator === 'sc_supported_share')!.target).toBe(98);

    const hanoi = await computeIndicators(pool, { unitCode: '01', provinceCode: '01', period: year, oldUnits: false, suppressSmallCounts: false });
    expect(hanoi.childrenOnRecord).toBe(6);
    expect(values(hanoi)).toMatchObject({
      sc_children: 4,
      sc_supported_share: 25,
      at_risk_children: 1,
      cases_opened: 3,
      cases_closed: 1,
      assessed_on_time_share: 66.67,
      national_id_linked_share: 33.33,
    });

    // Old units: records under new codes counted in the old commune that kept the code.
    const lieuGiai = await computeIndicators(pool, { unitCode: '00008', provinceCode: '01', period: year, oldUnits: true, suppressSmallCounts: false });
    expect(lieuGiai.childrenOnRecord).toBe(2); // B, G
    expect(values(lieuGiai)).toMatchObject({ sc_children: 2, national_id_linked_share: 100 });
    const congVi = await computeIndicators(pool, { unitCode: '00007', provinceCode: '01', period: year, oldUnits: true, suppressSmallCounts: false });
    expect(congVi.childrenOnRecord).toBe(1);
    const old2024 = await computeIndicators(pool, {
      unitCode: '01',
      provinceCode: '01',
      period: parsePeriod('2024')!,
      oldUnits: true,
      suppressSmallCounts: false,
    });
    expect(old2024.childrenOnRecord).toBe(3); // A, C, E
    expect(values(old2024)).toMatchObject({ sc_children: 2, at_risk_children: 1, cases_opened: 0, national_id_linked_share: 0 });
  });

  it('suppresses counts of 1 to 4 for users who may not see individual cases', async () => {
    const r = await computeIndicators(pool, {
      unitCode: '00008',
      provinceCode: '01',
      period: parsePeriod('2025')!,
      oldUnits: false,
      suppressSmallCounts: true,
    });
    expect(r.childrenOnRecord).toBeNull();
    const sc = r.indicators.find((i) => i.indicator === 'sc_children')!;
    expect(sc).toMatchObject({ value: null, numerator: null, suppressed: true });
    expect(r.indicators.find((i) => i.indicator === 'cases_closed')).toMatchObject({ value: 0, suppressed: false });
  });

  it('replays a child as of a date in effective and in recorded time', async () => {
    const events = await store.readStream(`child-${FIXTURE_IDS.E}`);
    // On 2024-06-01 E was in special circumstance 3; that it ended on 2024-12-31 was only recorded on 2025-01-03.
    expect(childAsOf(events, '2024-06-01', 'effective', resolver).child).toMatchObject({ circumstances: [3], commune_code: '00004' });
    expect(childAsOf(events, '2025-01-01', 'effective', resolver).child).toMatchObject({ circumstances: [] });
    expect(childAsOf(events, '2025-01-01', 'recorded', resolver).child).toMatchObject({ circumstances: [3] });
    expect(childAsOf(events, '2023-12-31', 'effective', resolver).child).toBeNull();
    expect(childAsOf(events, '2025-12-31', 'recorded', resolver).child).toMatchObject({ commune_code: '00025' });
  });

  it('reads events whose personal data was erased (null personal, flagged) without failing, masking personal fields and still counting the child', async () => {
    const erasing = new ErasedReadsStore(store, new Set([FIXTURE_IDS.A]));
    const result = await rebuildProjections({
      store: erasing,
      ownerPool: owner,
      projections: PROJECTIONS,
      units: resolver,
      suffix: '__erased',
      switchOver: false,
      batchSize: 5,
    });
    const a = (await owner.query(`SELECT * FROM rm_children__erased WHERE child_id = $1`, [FIXTURE_IDS.A])).rows[0];
    expect(a).toMatchObject({ personal: null, personal_erased: true, circumstances: [1], commune_code: '00008' });
    const caseA = (await owner.query(`SELECT personal, personal_erased FROM rm_cases__erased WHERE case_id = 'fx-case-a'`)).rows[0];
    expect(caseA).toEqual({ personal: null, personal_erased: true });
    const audit = (
      await owner.query(`SELECT personal_data_erased FROM rm_audit_index__erased WHERE child_id = $1 AND event_type = 'ChildRegistered'`, [FIXTURE_IDS.A])
    ).rows[0];
    expect(audit.personal_data_erased).toBe(true);
    expect(childAsOf(await erasing.readStream(`child-${FIXTURE_IDS.A}`), '2025-12-31', 'recorded', resolver).child).toMatchObject({
      personal: null,
      circumstances: [1],
    });
    await dropShadows(owner, result.shadows);
  });
});

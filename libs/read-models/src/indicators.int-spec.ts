import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore, NewEvent } from '@childledger/event-store';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { computeIndicators, computeIndicatorSeries, IndicatorRequest, IndicatorResult, parsePeriod, periodSeries } from './indicators';
import { foldIndicatorStates, withScratchIndicators } from './indicators-replay';
import { addDays } from './projection';
import { CELL_COLUMNS, PROJECTIONS } from './projections';
import { ProjectionRunner } from './projection-runner';
import { dropShadows, rebuildProjections } from './rebuild';
import { computeIndicatorsFromSpells } from './testing';
import { UnitResolver } from './unit-resolver';
import { SeededRandom } from '@childledger/random';

const units = loadAdministrativeUnits();
const resolver = new UnitResolver(units);

/** The one seeded generator: the same histories on every run. */
const prng = (seed: number): (() => number) => new SeededRandom(seed).asFunction();

// Hà Nội communes before and after 2025-07-01 (00007 was split), and one commune of another province.
const OLD = ['00001', '00004', '00006', '00007', '06886'];
const NEW = ['00004', '00008', '00025', '00097', '06970'];

interface Appended {
  stream: string;
  event: NewEvent;
}

/**
 * Random lives: registrations under old and new codes (and codes of the wrong era), moves, backdated
 * moves, circumstances and risks opened and ended, national IDs linked and unlinked, merges and
 * reverts, cases opened, assessed on time or late, interventions delivered, closed and reopened,
 * spread over 2023–2026 so that facts fall in many months, quarters and years.
 */
function randomHistory(seed: number, children: number): Appended[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const day = (from: string, spanDays: number) => addDays(from, Math.floor(r() * spanDays));
  const out: Appended[][] = [];
  const meta = { actor: { userId: 'oracle', role: 'data_officer', unit: '01' } };
  for (let i = 0; i < children; i++) {
    const id = `o${seed}-${i}`;
    const events: Appended[] = [];
    const child = (type: string, data: Record<string, unknown>) =>
      events.push({ stream: `child-${id}`, event: { id: randomUUID(), type, data: { childId: id, ...data }, metadata: meta } });
    let t = day('2023-06-01', 900);
    const codeFor = (d: string) => (r() < 0.1 ? pick([...OLD, ...NEW]) : d < '2025-07-01' ? pick(OLD) : pick(NEW));
    child('ChildRegistered', {
      sex: pick(['F', 'M']),
      residence: { communeCode: codeFor(t), effectiveFrom: t },
      registeredAt: `${t}T03:00:00.000Z`,
      // Born 2007–2024: many turn 16 inside, before or after the periods asked for; some on 29 February.
      personal: { fullName: `Trẻ ${i}`, dateOfBirth: r() < 0.03 ? '2008-02-29' : day('2007-01-01', 365 * 18) },
    });
    const open = { sc: new Set<number>(), ar: new Set<number>(), nid: false };
    let caseNo = 0;
    let openCase: string | null = null;
    const steps = 2 + Math.floor(r() * 9);
    for (let s = 0; s < steps; s++) {
      t = day(t, 120);
      const x = r();
      if (x < 0.12) {
        // A move, sometimes backdated before the last known one.
        const from = r() < 0.2 ? addDays(t, -200) : t;
        child('ResidenceChanged', { communeCode: codeFor(from), effectiveFrom: from });
      } else if (x < 0.27) {
        const g = 1 + Math.floor(r() * 14);
        if (open.sc.has(g)) {
          child('SpecialCircumstanceEnded', { group: g, effectiveTo: t });
          open.sc.delete(g);
        } else {
          child('SpecialCircumstanceIdentified', { group: g, effectiveFrom: r() < 0.3 ? addDays(t, -90) : t });
          open.sc.add(g);
        }
      } else if (x < 0.4) {
        const g = 1 + Math.floor(r() * 3);
        if (open.ar.has(g)) {
          child('RiskResolved', { group: g, effectiveTo: t, outcome: r() < 0.7 ? 'removed_from_risk' : 'entered_special_circumstance' });
          open.ar.delete(g);
        } else {
          child('RiskIdentified', { group: g, effectiveFrom: t });
          open.ar.add(g);
        }
      } else if (x < 0.5) {
        if (open.nid) child('NationalIdUnlinked', { unlinkedAt: `${t}T05:00:00.000Z` });
        else child('NationalIdLinked', { source: 'identity_adapter', linkedAt: `${t}T20:00:00.000Z`, personal: { personalId: '001315000001' } });
        open.nid = !open.nid;
      } else if (x < 0.53) {
        child('ChildRecordsMerged', { survivingChildId: `o${seed}-0` });
        if (r() < 0.5) child('ChildRecordsMergeReverted', {});
      } else if (x < 0.545) {
        // A corrected date of birth (sometimes making the child 16 earlier or later).
        child('ChildDetailsCorrected', { correctedFields: ['dateOfBirth'], personal: { dateOfBirth: day('2007-01-01', 365 * 18), reason: 'r' } });
      } else if (x < 0.56) {
        child('IdentityReviewRequested', { source: 'identity_adapter', reason: 'two candidates', candidateCount: 2, requestedAt: `${t}T03:00:00.000Z` });
      } else {
        const kase = (type: string, data: Record<string, unknown>) =>
          events.push({ stream: `case-${openCase}`, event: { id: randomUUID(), type, data: { caseId: openCase, ...data }, metadata: meta } });
        if (openCase === null || r() < 0.15) {
          openCase = `${id}-k${caseNo++}`;
          kase('CaseOpened', {
            childId: id,
            channel: 'hotline_111',
            concern: pick(['neglect', 'physical_abuse', 'sexual_abuse']),
            protectionLevel: 'support',
            reportedAt: `${t}T01:00:00.000Z`,
            openedAt: `${t}T${r() < 0.2 ? '18' : '02'}:00:00.000Z`,
            assessmentDueAt: `${addDays(t, 1)}T02:00:00.000Z`,
          });
        } else {
          const y = r();
          if (y < 0.35)
            kase('CaseAssessed', {
              riskLevel: 'medium',
              assessedAt: `${addDays(t, Math.floor(r() * 5))}T04:00:00.000Z`,
              onTime: r() < 0.6,
              planDueAt: `${addDays(t, 3)}T04:00:00.000Z`,
            });
          else if (y < 0.75) kase('InterventionDelivered', { interventionId: `${openCase}-${s}`, serviceType: 'health', deliveredOn: t, onTime: r() < 0.7 });
          else if (y < 0.82) kase('CaseClosed', { outcome: pick(['risk_removed', 'goals_met', 'child_moved']), closedAt: `${t}T08:00:00.000Z` });
          else if (y < 0.9)
            kase('CaseReferred', { sector: pick(['health', 'justice']), referredTo: 'X', referredAt: `${t}T08:00:00.000Z`, personal: { reason: 'r' } });
          else kase('CaseReopened', { reopenedAt: `${t}T08:00:00.000Z`, assessmentDueAt: `${addDays(t, 1)}T08:00:00.000Z` });
        }
      }
    }
    out.push(events);
  }
  // Interleave the children's lives, each keeping its own order.
  const merged: Appended[] = [];
  const cursors = out.map(() => 0);
  for (;;) {
    const live = out.map((_e, i) => i).filter((i) => cursors[i]! < out[i]!.length);
    if (live.length === 0) return merged;
    const i = pick(live);
    merged.push(out[i]![cursors[i]!++]!);
  }
}

/** Not computed by the oracle (see indicator-oracle.ts): checked against hand-computed histories below. */
const NOT_IN_ORACLE = new Set([
  'cases_resolved_share',
  'referrals',
  ...['health', 'education', 'justice', 'public_security', 'social_affairs', 'other'].map((s) => `referrals_${s}`),
]);
const comparable = (r: IndicatorResult): IndicatorResult => ({ ...r, indicators: r.indicators.filter((i) => !NOT_IN_ORACLE.has(i.indicator)) });

function requests(): IndicatorRequest[] {
  const periods = [
    '2023',
    '2024',
    '2025',
    '2026',
    '2027',
    '2024-Q1',
    '2024-Q3',
    '2025-Q2',
    '2025-Q3',
    '2025-Q4',
    '2026-Q1',
    '2024-02',
    '2024-12',
    '2025-01',
    '2025-06',
    '2025-07',
    '2025-11',
    '2026-03',
    '2026-12',
  ];
  const out: IndicatorRequest[] = [];
  for (const label of periods) {
    const period = parsePeriod(label)!;
    for (const oldUnits of [false, true]) {
      const communes = oldUnits ? OLD : NEW;
      const on = oldUnits ? '2025-01-01' : '2025-09-01';
      const other = units.provinceOfCommune(communes[4]!, on)!;
      for (const unitCode of ['01', other, ...communes]) {
        const provinceCode = unitCode.length === 2 ? unitCode : units.provinceOfCommune(unitCode, on)!;
        out.push({ unitCode, provinceCode, period, oldUnits, suppressSmallCounts: false });
      }
    }
  }
  return out;
}

describe('the indicators projection against the spell-by-spell oracle', () => {
  let db: TestDatabase;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
    pool = createPool(db.url, { max: 6 });
    owner = createPool(db.url, { role: null, max: 3 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 20 });
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await owner.end();
    await db.drop();
  });

  it('agrees with the oracle for every unit, period and unit list, projected live in small batches and rebuilt', async () => {
    const history = randomHistory(20261123, 260);
    // requests() asks for Hà Nội and for the province of 06886 (old) / 06970 (new), another one.
    expect(units.provinceOfCommune('06886', '2025-01-01')).not.toBe('01');
    expect(units.provinceOfCommune('06970', '2025-09-01')).not.toBe('01');
    const runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: resolver, batchSize: 13 });
    await runner.start();
    for (let i = 0; i < history.length; i += 40) {
      // Several streams per append call would need one call per stream: appended one by one, as commands do.
      for (const a of history.slice(i, i + 40)) await store.append(a.stream, [a.event], { expectedRevision: 'any' });
    }
    await new Promise((r) => setTimeout(r, 200));
    await runner.stop();
    const catchUp = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: resolver, batchSize: 13 });
    await catchUp.start();
    await catchUp.caughtUp();
    await catchUp.stop();

    const mismatches: unknown[] = [];
    let nonZero = 0;
    const seen: Record<string, number> = {};
    for (const req of requests()) {
      const [got, want] = (await Promise.all([computeIndicators(pool, req), computeIndicatorsFromSpells(pool, req)])).map(comparable) as [
        IndicatorResult,
        IndicatorResult,
      ];
      if (want.childrenOnRecord) nonZero++;
      for (const i of want.indicators) if (i.value) seen[i.indicator] = (seen[i.indicator] ?? 0) + 1;
      if (JSON.stringify(got) !== JSON.stringify(want))
        mismatches.push({
          req: { ...req, period: req.period.label },
          got: got.indicators,
          want: want.indicators,
          gotChildren: got.childrenOnRecord,
          wantChildren: want.childrenOnRecord,
        });
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    // The comparison means something: most requests count children, facts and flags.
    expect(nonZero).toBeGreaterThan(150);
    for (const indicator of [
      'sc_children',
      'abuse_new_cases',
      'at_risk_removed',
      'cases_opened',
      'abuse_assessed_on_time_share',
      'median_days_to_assessment',
      'interventions_on_time_share',
      'children_registered',
      'registered_national_id_share',
      'sc_supported_share',
      'at_risk_children',
      'at_risk_supported_share',
      'cases_opened',
      'cases_closed',
      'assessed_on_time_share',
      'national_id_linked_share',
    ]) {
      expect({ indicator, nonZero: (seen[indicator] ?? 0) > 20 }).toEqual({ indicator, nonZero: true });
    }

    // A rebuild in other batch sizes gives the same table, row for row (zero rows are never left behind).
    const verify = await rebuildProjections({
      store,
      ownerPool: owner,
      projections: PROJECTIONS.filter((p) => p.name === 'indicators'),
      units: resolver,
      suffix: '__oracle',
      switchOver: false,
      batchSize: 97,
    });
    for (const [live, shadow] of Object.entries(verify.shadows)) {
      const diff = Number(
        (
          await owner.query(
            `SELECT count(*) AS n FROM ((SELECT * FROM ${shadow} EXCEPT ALL SELECT * FROM ${live}) UNION ALL (SELECT * FROM ${live} EXCEPT ALL SELECT * FROM ${shadow})) d`,
          )
        ).rows[0].n,
      );
      expect({ live, diff }).toEqual({ live, diff: 0 });
    }
    await dropShadows(owner, verify.shadows);
    expect((await owner.query(`SELECT count(*)::int AS n FROM rm_indicator_cells WHERE ${CELL_COLUMNS.map((f) => `${f} = 0`).join(' AND ')}`)).rows[0].n).toBe(
      0,
    );
  });

  it('recomputed from the log (published figures, asOf) agrees with the projection: every request, suppressed or not, breakdowns, series', async () => {
    // The replay folds the log itself and evaluates each child's contribution per period (indicators-replay.ts).
    const { states } = await foldIndicatorStates(store, resolver, { position: null, recordedAt: new Date() });
    const none = { target: null, population: null };
    const mismatches: unknown[] = [];
    const compare = (what: unknown, live: unknown, replayed: unknown) => {
      if (JSON.stringify(live) !== JSON.stringify(replayed)) mismatches.push({ what, live, replayed });
    };
    const all = requests();
    const byCommune = (r: IndicatorRequest): IndicatorRequest => ({
      ...r,
      by: ['commune', 'sex'],
      breakdownUnits: r.oldUnits ? OLD.slice(0, 4) : NEW.slice(0, 4),
    });
    const asked = [
      ...all,
      ...all.filter((_r, i) => i % 5 === 0).map((r) => ({ ...r, suppressSmallCounts: true })),
      ...all.filter((r) => r.unitCode === '01' && r.period.label.length !== 7).map(byCommune),
      ...all.filter((r) => r.unitCode.length === 5 && r.period.label.length === 4).map((r): IndicatorRequest => ({ ...r, by: ['ageBand', 'group'] })),
    ];
    for (const req of asked) {
      const live = await computeIndicators(pool, req);
      compare(
        { ...req, period: req.period.label, referenceCodes: undefined },
        live,
        await withScratchIndicators(pool, states, none, req, [req.period], (src) => src.compute(req)),
      );
    }
    for (const [oldUnits, suppressSmallCounts] of [
      [false, false],
      [true, true],
      [false, true],
    ] as const) {
      const req: IndicatorRequest = { unitCode: '01', provinceCode: '01', period: parsePeriod('2025-12')!, oldUnits, suppressSmallCounts, by: ['sex'] };
      const periods = periodSeries('M', parsePeriod('2024-07')!, parsePeriod('2025-12')!);
      compare(
        { series: true, oldUnits, suppressSmallCounts },
        await computeIndicatorSeries(pool, req, periods),
        await withScratchIndicators(pool, states, none, req, periods, (src) => src.series(req, periods)),
      );
    }
    expect(mismatches.slice(0, 2)).toEqual([]);
    expect(asked.length).toBeGreaterThan(300);
  });

  it('keeps no personal data in its tables', async () => {
    const res = await owner.query(`SELECT count(*)::int AS n FROM rm_indicator_children WHERE state::text LIKE '%Trẻ %' OR state::text LIKE '%001315000001%'`);
    expect(res.rows[0].n).toBe(0);
    expect((await owner.query(`SELECT count(*)::int AS n FROM rm_indicator_children`)).rows[0].n).toBeGreaterThan(200);
  });
});

describe('hand-computed: the age rule, referrals, resolved closures and days to assessment', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  const meta = { actor: { userId: 'hand', role: 'case_worker', unit: '01' } };
  const child = (id: string, type: string, data: Record<string, unknown>) =>
    store.append(`child-${id}`, [{ id: randomUUID(), type, data: { childId: id, ...data }, metadata: meta }], { expectedRevision: 'any' });
  const kase = (id: string, type: string, data: Record<string, unknown>) =>
    store.append(`case-${id}`, [{ id: randomUUID(), type, data: { caseId: id, ...data }, metadata: meta }], { expectedRevision: 'any' });
  const register = (id: string, dob: string, sex: string, from: string) =>
    child(id, 'ChildRegistered', {
      sex,
      residence: { communeCode: '00004', effectiveFrom: from },
      registeredAt: `${from}T03:00:00.000Z`,
      personal: { fullName: `Trẻ ${id}`, dateOfBirth: dob },
    });
  const ask = async (label: string, unitCode = '00004') => {
    const r = await computeIndicators(pool, { unitCode, provinceCode: '01', period: parsePeriod(label)!, oldUnits: false, suppressSmallCounts: false });
    return { children: r.childrenOnRecord, ...Object.fromEntries(r.indicators.map((i) => [i.indicator, i.value])) } as Record<string, number | null>;
  };

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
    pool = createPool(db.url, { max: 4 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 20 });
    // T turns 16 on 2026-06-15 (a child to 2026-06-14); O turned 16 on 2025-03-01; Y is 16 in 2031.
    await register('t', '2010-06-15', 'F', '2025-09-01');
    await register('o', '2009-03-01', 'M', '2025-01-10');
    await register('y', '2015-05-05', 'M', '2025-09-01');
    await child('t', 'SpecialCircumstanceIdentified', { group: 11, effectiveFrom: '2025-09-01', recordedAt: '2025-09-01T03:00:00.000Z' });
    await child('o', 'SpecialCircumstanceIdentified', { group: 10, effectiveFrom: '2025-01-10', recordedAt: '2025-01-10T03:00:00.000Z' });
    // T's case: reported 2026-01-05, assessed 3 days later (late), referred to the police and to health, closed resolved.
    await kase('kt', 'CaseOpened', {
      childId: 't',
      channel: 'hotline_111',
      concern: 'sexual_abuse',
      protectionLevel: 'intervention',
      reportedAt: '2026-01-05T01:00:00.000Z',
      openedAt: '2026-01-05T02:00:00.000Z',
      assessmentDueAt: '2026-01-05T13:00:00.000Z',
    });
    await kase('kt', 'CaseAssessed', { riskLevel: 'high', assessedAt: '2026-01-08T02:00:00.000Z', onTime: false, planDueAt: '2026-01-10T02:00:00.000Z' });
    await kase('kt', 'CaseReferred', {
      sector: 'public_security',
      referredTo: 'Công an phường',
      referredAt: '2026-01-09T02:00:00.000Z',
      personal: { reason: 'r' },
    });
    await kase('kt', 'CaseReferred', { sector: 'health', referredTo: 'Bệnh viện', referredAt: '2026-01-12T02:00:00.000Z', personal: { reason: 'r' } });
    await kase('kt', 'CaseClosed', { outcome: 'goals_met', closedAt: '2026-03-01T02:00:00.000Z' });
    // Reopened: assessed again 1 day after the reopening (not after the first report), closed without resolution.
    await kase('kt', 'CaseReopened', { reopenedAt: '2026-04-01T02:00:00.000Z', assessmentDueAt: '2026-04-02T02:00:00.000Z', personal: { reason: 'r' } });
    await kase('kt', 'CaseAssessed', { riskLevel: 'medium', assessedAt: '2026-04-02T03:00:00.000Z', onTime: false, planDueAt: '2026-04-05T02:00:00.000Z' });
    await kase('kt', 'CaseClosed', { outcome: 'child_moved', closedAt: '2026-05-01T02:00:00.000Z' });
    // A case opened after T's 16th birthday, in the same month: not a child's case any more.
    await kase('kt2', 'CaseOpened', {
      childId: 't',
      channel: 'school',
      concern: 'neglect',
      protectionLevel: 'support',
      reportedAt: '2026-06-20T01:00:00.000Z',
      openedAt: '2026-06-20T02:00:00.000Z',
      assessmentDueAt: '2026-06-21T02:00:00.000Z',
    });
    // Y's case: assessed the same day, on time.
    await kase('ky', 'CaseOpened', {
      childId: 'y',
      channel: 'school',
      concern: 'neglect',
      protectionLevel: 'support',
      reportedAt: '2026-02-01T01:00:00.000Z',
      openedAt: '2026-02-01T02:00:00.000Z',
      assessmentDueAt: '2026-02-02T02:00:00.000Z',
    });
    await kase('ky', 'CaseAssessed', { riskLevel: 'low', assessedAt: '2026-02-01T08:00:00.000Z', onTime: true, planDueAt: '2026-02-04T02:00:00.000Z' });
    const runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: resolver, batchSize: 4 });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('counts each person only while a child: turning 16 inside, before and after the period', async () => {
    // 2025: T and Y; O turned 16 on 2025-03-01 but was a child from its registration (2025-01-10) to 2025-02-28.
    expect(await ask('2025')).toMatchObject({ children: 3, sc_children: 2, abuse_new_cases: 2, children_registered: 3 });
    expect(await ask('2025-02')).toMatchObject({ children: 1, sc_children: 1 }); // O's last month as a child
    expect(await ask('2025-03')).toMatchObject({ children: 0, sc_children: 0 });
    // 2026: T (to 2026-06-14) and Y; O not at all.
    expect(await ask('2026')).toMatchObject({ children: 2, sc_children: 1, cases_opened: 2 }); // kt and ky; kt2 is after T's 16th birthday
    expect(await ask('2026-06')).toMatchObject({ children: 2, cases_opened: 0 });
    expect(await ask('2026-07')).toMatchObject({ children: 1, sc_children: 0 });
    expect(await ask('2027')).toMatchObject({ children: 1 }); // Y, 16 in 2031
    expect(await ask('2031')).toMatchObject({ children: 1 });
    expect(await ask('2032')).toMatchObject({ children: 0 });
    // The same through the province, and against the oracle.
    expect(await ask('2026', '01')).toMatchObject({ children: 2 });
    for (const label of ['2025', '2025-02', '2025-03', '2026', '2026-Q2', '2026-06', '2026-07', '2031', '2032']) {
      const req = { unitCode: '00004', provinceCode: '01', period: parsePeriod(label)!, oldUnits: false, suppressSmallCounts: false };
      expect(comparable(await computeIndicators(pool, req))).toEqual(comparable(await computeIndicatorsFromSpells(pool, req)));
    }
  });

  it('referrals by sector, closures resolved, assessments of abuse on time, days from the report (or the reopening)', async () => {
    expect(await ask('2026-Q1')).toMatchObject({
      referrals: 2,
      referrals_public_security: 1,
      referrals_health: 1,
      referrals_justice: 0,
      cases_closed: 1,
      cases_resolved_share: 100, // goals met
      abuse_assessed_on_time_share: 0, // T's (sexual abuse) late; Y's is not abuse
      assessed_on_time_share: 50,
      median_days_to_assessment: 1.5, // 3 days (T) and 0 (Y)
    });
    expect(await ask('2026')).toMatchObject({
      cases_closed: 2,
      cases_resolved_share: 50, // goals met, then child moved
      median_days_to_assessment: 1, // 3, 1 (a day after the reopening), 0
    });
    expect(await ask('2026-Q2')).toMatchObject({ median_days_to_assessment: 1, referrals: 0 });
  });
});

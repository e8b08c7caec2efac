import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase, withTransaction } from '@childledger/database';
import { createPostgresEventStore, EventStore, RecordedEvent } from '@childledger/event-store';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { liveTables, PROJECTIONS, UnitResolver } from '@childledger/read-models';
import { LedgerFixture } from '@childledger/read-models/testing';
import { createQueryApi } from '../src/query-api.app';

// The story, relative to the test's start (deadlines: neglect + intervention 24 h, support 72 h, prevention 168 h):
// in commune 00004, unassigned: a1 reported in 2025 (overdue), b1 intervention reported now (due soon),
// c1 prevention reported now (due later), d1 closed (not work); held by cw-00004: e1 (overdue), f1 (due later).
// In commune 00008: g1 unassigned and overdue (outside the commune case worker's units).
describe("query API: the case worker's worklist (e2e)", () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;
  let pool: Pool;
  let store: EventStore;
  const tokens: Record<string, string> = {};
  type Body = {
    cases: { caseId: string; overdue: boolean; dueSoon: boolean; status: string; nextDueAt: string | null; assigneeId: string | null }[];
    total: number;
    overdue: number;
    dueSoon: number;
    matching: number;
  };
  const get = async (path: string, who: string): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
    return { status: res.status, body: (await res.json()) as Body };
  };
  const ids = (b: Body) => b.cases.map((c) => c.caseId);

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url);
    store = createPostgresEventStore({ pool });
    const fx = new LedgerFixture(store, loadAdministrativeUnits());
    const now = Date.now();
    const justNow = new Date(now - 60_000).toISOString();
    const later = new Date(now - 30_000).toISOString();
    const old = '2025-08-02T08:00:00+07:00';
    const openCase = async (caseId: string, commune: string, level: 'intervention' | 'support' | 'prevention', reportedAt: string) => {
      const childId = `kid-${caseId}`;
      await fx.child(
        childId,
        'RegisterChild',
        { childId, fullName: 'Trẻ Thử Nghiệm', dateOfBirth: '2015-01-01', sex: 'F', residence: { communeCode: commune, effectiveFrom: '2025-08-01' } },
        { at: '2025-08-01T09:00:00+07:00' },
      );
      await fx.case(
        caseId,
        'OpenCase',
        { caseId, childId, channel: 'school', concern: 'neglect', protectionLevel: level, reportedAt },
        { at: reportedAt === old ? '2025-08-02T09:00:00+07:00' : later },
      );
    };
    await openCase('a1', '00004', 'support', old);
    await openCase('b1', '00004', 'intervention', justNow);
    await openCase('c1', '00004', 'prevention', justNow);
    await openCase('d1', '00004', 'support', old);
    await fx.case('d1', 'AssessCase', { riskLevel: 'low' }, { at: '2025-08-03T10:00:00+07:00' });
    await fx.case('d1', 'CloseCase', { outcome: 'no_protection_needed' }, { at: '2025-08-04T10:00:00+07:00' });
    await openCase('e1', '00004', 'support', old);
    await fx.case('e1', 'AssignCase', { assigneeId: 'cw-00004', assignedBy: 'cw-00004' }, { at: later });
    await openCase('f1', '00004', 'prevention', justNow);
    await fx.case('f1', 'AssignCase', { assigneeId: 'someone-else', assignedBy: 'lead' }, { at: later });
    await fx.case('f1', 'AssignCase', { assigneeId: 'cw-00004', assignedBy: 'lead' }, { at: later });
    await openCase('g1', '00008', 'support', '2025-08-02T08:00:00+07:00');

    // The projections applied to the story's streams in one transaction, as the runner applies a batch.
    // (Not through the runner's subscription: it hands out only events below the cluster-wide
    // transaction horizon, which another session on a shared server can hold back for minutes.)
    const events: RecordedEvent[] = [];
    for (const c of ['a1', 'b1', 'c1', 'd1', 'e1', 'f1', 'g1']) events.push(...(await store.readStream(`child-kid-${c}`)));
    for (const c of ['a1', 'b1', 'c1', 'd1', 'e1', 'f1', 'g1']) events.push(...(await store.readStream(`case-${c}`)));
    const ctx = { table: liveTables, units: new UnitResolver(loadAdministrativeUnits()) };
    await withTransaction(pool, async (client) => {
      for (const p of PROJECTIONS) await p.apply(events, client, ctx);
    });

    t = await createTestAuth();
    tokens['province'] = await t.tokenFor({ role: 'case_worker', userId: 'cw-province', provinces: ['01'], communes: [] });
    tokens['cw00004'] = await t.tokenFor({ role: 'case_worker', userId: 'cw-00004', provinces: ['01'], communes: ['00004'] });
    tokens['officer'] = await t.tokenFor(t.users.communeOfficer);
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: Buffer.alloc(32, 7).toString('base64') });
    app = await createQueryApi(config, db.url, { auth: t.auth });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  it('unassigned, in my units only: overdue first, then due soon, then the rest; closed cases are not work; counts agree with the rows', async () => {
    const { status, body } = await get('/cases/worklist?view=unassigned', 'cw00004');
    expect(status).toBe(200);
    expect(ids(body)).toEqual(['a1', 'b1', 'c1']);
    expect(body.cases.map((c) => [c.overdue, c.dueSoon])).toEqual([
      [true, false],
      [false, true],
      [false, false],
    ]);
    expect({ total: body.total, overdue: body.overdue, dueSoon: body.dueSoon, matching: body.matching }).toEqual({
      total: 3,
      overdue: 1,
      dueSoon: 1,
      matching: 3,
    });
    // The province case worker also sees 00008's case; overdue cases by their deadline, case id breaking the tie.
    const province = await get('/cases/worklist?view=unassigned', 'province');
    expect(ids(province.body)).toEqual(['a1', 'g1', 'b1', 'c1']);
  });

  it('mine: the cases I hold now (a reassignment moves the case to its new holder), with the step and its deadline', async () => {
    const { body } = await get('/cases/worklist?view=mine', 'cw00004');
    expect(ids(body)).toEqual(['e1', 'f1']);
    expect(body.cases[0]).toMatchObject({ status: 'report_received', overdue: true, assigneeId: 'cw-00004' });
    expect(body.cases[1]!.nextDueAt).not.toBeNull();
    expect(ids((await get('/cases/worklist?view=mine', 'province')).body)).toEqual([]);
  });

  it("pages in SQL: limit and offset walk the same order, and the due filter narrows rows and matching but not the view's counts", async () => {
    const walked: string[] = [];
    for (let offset = 0; offset < 6; offset++) {
      const { body } = await get(`/cases/worklist?view=unassigned&limit=1&offset=${offset}`, 'province');
      expect(body.cases.length).toBeLessThanOrEqual(1);
      expect(body.matching).toBe(4);
      walked.push(...ids(body));
    }
    expect(walked).toEqual(['a1', 'g1', 'b1', 'c1']);
    const overdue = await get('/cases/worklist?view=unassigned&due=overdue', 'province');
    expect({ ids: ids(overdue.body), matching: overdue.body.matching, total: overdue.body.total }).toEqual({ ids: ['a1', 'g1'], matching: 2, total: 4 });
    const soon = await get('/cases/worklist?view=unassigned&due=due_soon', 'province');
    expect(ids(soon.body)).toEqual(['b1']);
  });

  it('refuses a data officer (403: case content is for case roles) and bad parameters, naming the field', async () => {
    expect((await get('/cases/worklist', 'officer')).status).toBe(403);
    for (const [q, field] of [
      ['view=all', 'view'],
      ['due=late', 'due'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['offset=-1', 'offset'],
    ] as const) {
      const res = await get(`/cases/worklist?${q}`, 'cw00004');
      expect([q, res.status, JSON.stringify(res.body).includes(field)]).toEqual([q, 400, true]);
    }
  });
});

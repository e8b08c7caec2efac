import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EventStore } from '@childledger/event-store';
import { AuthenticatedUser, loadConfig, PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { PROJECTIONS, ProjectionRunner, UnitResolver } from '@childledger/read-models';
import { LedgerFixture } from '@childledger/read-models/testing';
import { Located, mayAccess } from '../src/access';
import { jurisdictionSql } from '@childledger/read-models';
import { createQueryApi } from '../src/query-api.app';

/** Vietnam wall-clock time (UTC+7) as an ISO instant. */
const vn = (day: string, hour = 10, minute = 0) =>
  new Date(`${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+07:00`).toISOString();
// Ids of one shape (lowercase letters, fixed-width digits) sort alike in JavaScript and in any PostgreSQL collation.
const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(4, '0')}`;

// The story: 160 children with a case in commune 00004 and 80 in 00008 (every 4th case assessed
// and closed, so not overdue); 60 children in the split old commune 00007 (queued in 00008);
// identity reviews and no-record findings for 70 children of 00004 at a few shared instants.
const N_00004 = 160;
const N_00008 = 80;
const N_SPLIT = 60;
const closed = (n: number) => n % 4 === 0;

describe('query API paging and case as-of (e2e)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  const tokens: Record<string, string> = {};
  /** Queue rows as the story wrote them: sort key (UTC, microseconds), child, reason, commune. */
  const queue: { key: string; childId: string; reason: string; commune: string }[] = [];
  const caseIds: { caseId: string; commune: string; closed: boolean }[] = [];

  type Res = Omit<Response, 'json'> & { json(): Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = (path: string, who: string, headers: Record<string, string> = {}): Promise<Res> =>
    fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}`, ...headers } });

  /** Follows `next` from the first page to the last; returns every page's items. */
  async function pages(path: string, who: string, key: 'cases' | 'items'): Promise<{ items: any[][]; pageCount: number }> {
    // eslint-disable-line @typescript-eslint/no-explicit-any
    const items = [];
    let next: string | null = null;
    do {
      const res = await get(`${path}${next === null ? '' : `&after=${next}`}`, who);
      expect(res.status).toBe(200);
      const body = await res.json();
      items.push(body[key]);
      next = body.next;
      expect(items.length).toBeLessThan(50);
    } while (next !== null);
    return { items, pageCount: items.length };
  }

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url);
    owner = createPool(db.url, { role: null, max: 2 });
    store = createPostgresEventStore({ pool });
    const fx = new LedgerFixture(store, loadAdministrativeUnits());
    const register = (childId: string, commune: string, from: string) =>
      fx.child(
        childId,
        'RegisterChild',
        { childId, fullName: 'Trẻ Thử Nghiệm', dateOfBirth: '2015-01-01', sex: 'F', residence: { communeCode: commune, effectiveFrom: from } },
        { at: vn(from, 9) },
      );

    for (let n = 0; n < N_00004 + N_00008; n++) {
      const commune = n < N_00004 ? '00004' : '00008';
      const childId = id('kid', n);
      const caseId = id('case', n);
      await register(childId, commune, '2025-08-01');
      await fx.case(
        caseId,
        'OpenCase',
        { caseId, childId, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: vn('2025-08-02', 8) },
        { at: vn('2025-08-02', 9) },
      );
      if (closed(n)) {
        await fx.case(caseId, 'AssessCase', { riskLevel: 'low' }, { at: vn('2025-08-03') });
        await fx.case(caseId, 'CloseCase', { outcome: 'no_protection_needed' }, { at: vn('2025-08-04') });
      }
      caseIds.push({ caseId, commune, closed: closed(n) });
    }
    // Identity work in 00004 at five shared instants: a child both "no record found" and then sent to review
    // at the same instant has two rows with one requested_at, ordered by reason.
    for (let n = 0; n < 70; n++) {
      const childId = id('kid', n);
      const at = vn('2025-09-01', 10 + Math.floor(n / 14));
      if (n < 40) {
        await fx.child(childId, 'RecordNoNationalRecord', { source: 'identity_adapter' }, { at });
        queue.push({ key: at.replace('Z', '000Z'), childId, reason: 'no_national_record', commune: '00004' });
      }
      await fx.child(childId, 'RequestIdentityReview', { source: 'identity_adapter', reason: 'hai hồ sơ gần giống', candidateCount: 2 }, { at });
      queue.push({ key: at.replace('Z', '000Z'), childId, reason: 'identity_review', commune: '00004' });
    }
    for (let n = 0; n < N_SPLIT; n++) {
      const childId = id('old', n);
      const at = vn('2024-05-01', 9 + Math.floor(n / 6));
      await fx.child(
        childId,
        'RegisterChild',
        { childId, fullName: 'Trẻ Cống Vị', dateOfBirth: '2014-02-02', sex: 'M', residence: { communeCode: '00007', effectiveFrom: '2024-05-01' } },
        { at },
      );
      queue.push({ key: at.replace('Z', '000Z'), childId, reason: 'residence_split', commune: '00008' });
    }

    // A case told late: reported on 1 March, typed in on 10 March; assessed 12 March; a service
    // delivered on 15 March recorded on 20 March. Its child lives in 00004.
    await register('asofkid', '00004', '2025-02-01');
    await fx.case(
      'asofcase',
      'OpenCase',
      {
        caseId: 'asofcase',
        childId: 'asofkid',
        channel: 'hotline_111',
        concern: 'neglect',
        protectionLevel: 'support',
        reportedAt: vn('2025-03-01', 8),
        description: 'hàng xóm gọi 111',
      },
      { at: vn('2025-03-10') },
    );
    await fx.case('asofcase', 'AssessCase', { riskLevel: 'high', notes: 'đã gặp trẻ' }, { at: vn('2025-03-12') });
    await fx.case(
      'asofcase',
      'PlanIntervention',
      { interventionId: 'p1', serviceType: 'psychosocial', provider: 'Trung tâm CTXH', plannedStart: '2025-03-14', plannedEnd: '2025-03-31' },
      { at: vn('2025-03-13') },
    );
    await fx.case('asofcase', 'DeliverIntervention', { interventionId: 'p1', deliveredOn: '2025-03-15' }, { at: vn('2025-03-20') });
    // A case of a child whose personal data is erased afterwards.
    await register('erasedkid', '00004', '2025-02-01');
    await fx.case(
      'erasedcase',
      'OpenCase',
      {
        caseId: 'erasedcase',
        childId: 'erasedkid',
        channel: 'school',
        concern: 'neglect',
        protectionLevel: 'support',
        reportedAt: vn('2025-03-01', 8),
        description: 'bí mật',
      },
      { at: vn('2025-03-01', 9) },
    );
    await fx.child(
      'erasedkid',
      'ErasePersonalData',
      { reason: 'yêu cầu xoá dữ liệu' },
      { at: vn('2025-10-01'), actor: { userId: 'admin-1', role: 'admin' }, reason: 'erasure request' },
    );
    for (const c of ['asofcase', 'erasedcase']) caseIds.push({ caseId: c, commune: '00004', closed: false });
    await fx.backdate(owner);

    const runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: new UnitResolver(loadAdministrativeUnits()) });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();
    // Queue rows a microsecond apart, in the opposite order of their child ids: a cursor that kept
    // only milliseconds would skip or repeat them.
    for (let n = 0; n < 5; n++) {
      const childId = id('micro', 4 - n);
      await owner.query(
        `INSERT INTO rm_reconciliation_queue (child_id, reason, requested_at, commune_code, province_code) VALUES ($1, 'identity_review', $2, '00004', '01')`,
        [childId, `2025-06-01T03:00:00.00000${n + 1}Z`],
      );
      queue.push({ key: `2025-06-01T03:00:00.00000${n + 1}Z`, childId, reason: 'identity_review', commune: '00004' });
    }

    t = await createTestAuth();
    tokens['caseWorker'] = await t.tokenFor(t.users.provinceCaseWorker); // province 01
    tokens['caseWorker00004'] = await t.tokenFor({ role: 'case_worker', userId: 'cw-00004', provinces: ['01'], communes: ['00004'] });
    tokens['caseWorker00008'] = await t.tokenFor({ role: 'case_worker', userId: 'cw-00008', provinces: ['01'], communes: ['00008'] });
    tokens['inspector'] = await t.tokenFor(t.users.provinceInspector);
    tokens['hcmInspector'] = await t.tokenFor({ role: 'inspector', userId: 'hcm-inspector', provinces: ['79'] });
    tokens['officer'] = await t.tokenFor(t.users.communeOfficer); // data officer, commune 00004
    tokens['provinceOfficer'] = await t.tokenFor({ role: 'data_officer', userId: 'hn-officer', provinces: ['01'] });
    tokens['hcmOfficer'] = await t.tokenFor({ role: 'data_officer', userId: 'hcm-officer', provinces: ['79'] });
    tokens['admin'] = await t.tokenFor(t.users.admin);
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: Buffer.alloc(32, 7).toString('base64') });
    app = await createQueryApi(config, db.url, { auth: t.auth });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await pool?.end();
    await owner?.end();
    await db?.drop();
  });

  describe('GET /cases (keyset paging)', () => {
    it('pages through every case of a province exactly once, in case id order, 100 to a page by default', async () => {
      const { items, pageCount } = await pages('/cases?unit=01', 'caseWorker', 'cases');
      expect(pageCount).toBe(3);
      expect(items.map((p) => p.length)).toEqual([100, 100, caseIds.length - 200]);
      const seen = items.flat().map((c: { caseId: string }) => c.caseId);
      expect(seen).toEqual(caseIds.map((c) => c.caseId).sort());
      expect(JSON.stringify(items)).not.toContain('hàng xóm');
    });

    it('pages the overdue cases of a commune for a commune case worker, with a limit', async () => {
      const { items } = await pages('/cases?unit=00008&overdue=true&limit=7', 'caseWorker00008', 'cases');
      expect(items.slice(0, -1).every((p) => p.length === 7)).toBe(true);
      const expected = caseIds
        .filter((c) => c.commune === '00008' && !c.closed)
        .map((c) => c.caseId)
        .sort();
      expect(expected).toHaveLength(60);
      expect(items.flat().map((c: { caseId: string }) => c.caseId)).toEqual(expected);
      expect(items.flat().every((c: { overdue: boolean }) => c.overdue)).toBe(true);
    });

    it('ends with next null when the last page is exactly full', async () => {
      const first = await (await get('/cases?unit=00008&limit=80', 'caseWorker00008')).json();
      expect(first.cases).toHaveLength(80);
      expect(first.next).toBeNull();
    });

    it('rejects a bad limit, cursor or overdue flag (400 naming the field)', async () => {
      for (const [q, field] of [
        ['limit=0', 'limit'],
        ['limit=501', 'limit'],
        ['limit=ten', 'limit'],
        ['limit=1.5', 'limit'],
        ['after=xyz', 'after'],
        [`after=${Buffer.from('["a","b"]').toString('base64url')}`, 'after'],
        ['overdue=maybe', 'overdue'],
      ] as [string, string][]) {
        const res = await get(`/cases?unit=01&${q}`, 'caseWorker');
        expect([q, res.status]).toEqual([q, 400]);
        expect(await res.json()).toMatchObject({ field });
      }
    });

    it('refuses other roles (403) and units outside the jurisdiction (403)', async () => {
      expect((await get('/cases?unit=01', 'officer')).status).toBe(403);
      expect((await get('/cases?unit=01', 'hcmInspector')).status).toBe(403);
      expect((await get('/cases?unit=00008', 'caseWorker00004')).status).toBe(403);
      expect((await get('/cases?unit=01', 'caseWorker00004')).status).toBe(403);
    });
  });

  describe('GET /reconciliation-queue (keyset paging)', () => {
    const order = (rows: typeof queue) =>
      [...rows].sort((a, b) =>
        a.key < b.key ? -1 : a.key > b.key ? 1 : a.childId < b.childId ? -1 : a.childId > b.childId ? 1 : a.reason < b.reason ? -1 : 1,
      );

    it('pages through every queued item of a province exactly once, by (requested_at, child_id, reason)', async () => {
      const { items, pageCount } = await pages('/reconciliation-queue?unit=01&limit=50', 'provinceOfficer', 'items');
      expect(queue).toHaveLength(175);
      expect(pageCount).toBe(4);
      const seen = items.flat().map((i: { childId: string; reason: string }) => `${i.childId}/${i.reason}`);
      expect(seen).toEqual(order(queue).map((q) => `${q.childId}/${q.reason}`));
      // Ties on requested_at are broken by child, then by reason.
      expect(seen.slice(seen.indexOf('kid0000/identity_review'), seen.indexOf('kid0000/identity_review') + 3)).toEqual([
        'kid0000/identity_review',
        'kid0000/no_national_record',
        'kid0001/identity_review',
      ]);
    });

    it("pages a commune's queue for its data officer, a page boundary falling inside rows a microsecond apart", async () => {
      const { items } = await pages('/reconciliation-queue?unit=00004&limit=3', 'officer', 'items');
      expect((items[0] ?? []).map((i: { childId: string }) => i.childId)).toEqual(['micro0004', 'micro0003', 'micro0002']);
      expect((items[1] ?? []).slice(0, 2).map((i: { childId: string }) => i.childId)).toEqual(['micro0001', 'micro0000']);
      expect(items.flat().map((i: { childId: string; reason: string }) => `${i.childId}/${i.reason}`)).toEqual(
        order(queue.filter((q) => q.commune === '00004')).map((q) => `${q.childId}/${q.reason}`),
      );
    });

    it('rejects a bad limit or cursor (400 naming the field), other roles (403) and other jurisdictions (403)', async () => {
      for (const [q, field] of [
        ['limit=-1', 'limit'],
        ['limit=1000', 'limit'],
        [`after=${Buffer.from('{"a":1}').toString('base64url')}`, 'after'],
        [`after=${Buffer.from('["2025-06-01","kid0001","identity_review"]').toString('base64url')}`, 'after'],
      ] as [string, string][]) {
        const res = await get(`/reconciliation-queue?unit=01&${q}`, 'provinceOfficer');
        expect([q, res.status]).toEqual([q, 400]);
        expect(await res.json()).toMatchObject({ field });
      }
      expect((await get('/reconciliation-queue?unit=01', 'inspector')).status).toBe(403);
      expect((await get('/reconciliation-queue?unit=01', 'caseWorker')).status).toBe(403);
      expect((await get('/reconciliation-queue?unit=01', 'hcmOfficer')).status).toBe(403);
      expect((await get('/reconciliation-queue?unit=00008', 'officer')).status).toBe(403);
    });
  });

  describe('jurisdiction in SQL', () => {
    it('selects exactly the rows mayAccess allows, for every kind of user', async () => {
      const grid: (Located & { id: number })[] = [];
      for (const province_code of ['01', '79', null]) {
        for (const commune_code of ['00004', '00008', '00025', '26734', null]) {
          for (const candidate_communes of [[], ['00008', '00025'], ['00025'], null])
            grid.push({ id: grid.length, province_code, commune_code, candidate_communes });
        }
      }
      const users: AuthenticatedUser[] = [
        { userId: 'a', role: 'admin', provinces: [], communes: [] },
        { userId: 'p', role: 'inspector', provinces: ['01'], communes: [] },
        { userId: 'pp', role: 'inspector', provinces: ['01', '79'], communes: [] },
        { userId: 'none', role: 'inspector', provinces: [], communes: [] },
        { userId: 'c4', role: 'data_officer', provinces: ['01'], communes: ['00004'] },
        { userId: 'c25', role: 'case_worker', provinces: ['01'], communes: ['00025'] },
        { userId: 'c4-25', role: 'case_worker', provinces: ['01'], communes: ['00025', '00004'] },
      ] as AuthenticatedUser[];
      for (const user of users) {
        const params: unknown[] = [JSON.stringify(grid)];
        const cond = jurisdictionSql(user, { province: 'g.province_code', commune: 'g.commune_code', candidates: 'g.candidate_communes' }, (v) => {
          params.push(v);
          return `$${params.length}`;
        });
        const res = await owner.query<{ id: number }>(
          `SELECT g.id FROM jsonb_to_recordset($1::jsonb) AS g(id int, province_code text, commune_code text, candidate_communes text[]) WHERE ${cond ?? 'true'} ORDER BY g.id`,
          params,
        );
        const expected = grid.filter((r) => mayAccess(user, r)).map((r) => r.id);
        expect([user.userId, res.rows.map((r) => r.id)]).toEqual([user.userId, expected]);
      }
    });
  });

  describe('GET /cases/:caseId/as-of', () => {
    const asOf = (q: string, who = 'caseWorker') => get(`/cases/asofcase/as-of?${q}`, who);

    it('shows the step before and after the assessment', async () => {
      const before = await (await asOf('date=2025-03-11&purpose=case_work')).json();
      expect(before).toMatchObject({
        asOf: '2025-03-11',
        time: 'effective',
        eventsApplied: 1,
        record: {
          caseId: 'asofcase',
          status: 'report_received',
          riskLevel: null,
          assessedAt: null,
          overdue: true,
          personal: { description: 'hàng xóm gọi 111' },
        },
      });
      const after = await (await asOf('date=2025-03-12&time=effective&purpose=case_work')).json();
      expect(after).toMatchObject({
        eventsApplied: 2,
        record: { status: 'assessed', riskLevel: 'high', assessedAt: vn('2025-03-12'), overdue: false, personal: { notes: 'đã gặp trẻ' } },
      });
    });

    it('differs between effective and recorded time for a backdated report and a backdated delivery', async () => {
      expect(await (await asOf('date=2025-03-05&time=effective&purpose=inspection', 'inspector')).json()).toMatchObject({
        record: { status: 'report_received', reportedAt: vn('2025-03-01', 8) },
      });
      expect((await asOf('date=2025-03-05&time=recorded&purpose=inspection', 'inspector')).status).toBe(404);
      expect(await (await asOf('date=2025-03-16&time=effective&purpose=inspection', 'inspector')).json()).toMatchObject({
        eventsApplied: 4,
        record: { status: 'implementing' },
      });
      expect(await (await asOf('date=2025-03-16&time=recorded&purpose=inspection', 'inspector')).json()).toMatchObject({
        eventsApplied: 3,
        record: { status: 'planned' },
      });
    });

    it('masks the personal data of a child erased since, in every view', async () => {
      const r = await (await get('/cases/erasedcase/as-of?date=2025-03-02&purpose=inspection', 'inspector')).json();
      expect(r).toMatchObject({ record: { status: 'report_received', personal: null, personalDataErased: true } });
      expect(JSON.stringify(r)).not.toContain('bí mật');
    });

    it('needs a purpose, a date and a known time (400 naming the field)', async () => {
      for (const [q, field] of [
        ['date=2025-03-12', 'purpose'],
        ['date=2025-03-12&purpose=curiosity', 'purpose'],
        ['purpose=case_work', 'date'],
        ['date=12/03/2025&purpose=case_work', 'date'],
        ['date=2025-03-12&time=later&purpose=case_work', 'time'],
      ] as [string, string][]) {
        const res = await asOf(q);
        expect([q, res.status]).toEqual([q, 400]);
        expect(await res.json()).toMatchObject({ field });
      }
    });

    it('refuses other roles (403); answers other jurisdictions like unknown cases (404)', async () => {
      expect((await asOf('date=2025-03-12&purpose=case_work', 'officer')).status).toBe(403);
      expect((await asOf('date=2025-03-12&purpose=inspection', 'hcmInspector')).status).toBe(404);
      expect((await asOf('date=2025-03-12&purpose=case_work', 'caseWorker00008')).status).toBe(404);
      expect((await asOf('date=2025-03-12&purpose=case_work', 'caseWorker00004')).status).toBe(200);
      expect((await get('/cases/nocase/as-of?date=2025-03-12&purpose=case_work', 'caseWorker')).status).toBe(404);
    });

    it('records each as-of read in the read audit, with the view, and nothing for refused reads', async () => {
      const views = await (await get('/children/asofkid/views', 'admin')).json();
      expect(views.views.map((v: { resource: string; view: string; purpose: string; userId: string }) => [v.resource, v.view, v.purpose, v.userId])).toEqual([
        ['case:asofcase', 'as_of_effective:2025-03-11', 'case_work', 'dev-province-case-worker'],
        ['case:asofcase', 'as_of_effective:2025-03-12', 'case_work', 'dev-province-case-worker'],
        ['case:asofcase', 'as_of_effective:2025-03-05', 'inspection', 'dev-province-inspector'],
        ['case:asofcase', 'as_of_recorded:2025-03-05', 'inspection', 'dev-province-inspector'],
        ['case:asofcase', 'as_of_effective:2025-03-16', 'inspection', 'dev-province-inspector'],
        ['case:asofcase', 'as_of_recorded:2025-03-16', 'inspection', 'dev-province-inspector'],
        ['case:asofcase', 'as_of_effective:2025-03-12', 'case_work', 'cw-00004'],
      ]);
    });
  });
});

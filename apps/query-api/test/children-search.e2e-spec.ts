import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EventStore } from '@childledger/event-store';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { PROJECTIONS, ProjectionRunner, UnitResolver } from '@childledger/read-models';
import { LedgerFixture } from '@childledger/read-models/testing';
import { createQueryApi } from '../src/query-api.app';

const vn = (day: string, hour = 10) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+07:00`).toISOString();
const N_HOA = 25;

describe('GET /children/search and the child page reads (query API, real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  const tokens: Record<string, string> = {};

  type Res = Omit<Response, 'json'> & { json(): Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = (path: string, who: string, purpose: string | null = 'case_work'): Promise<Res> =>
    fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}`, ...(purpose ? { 'x-purpose': purpose } : {}) } });
  const ids = async (path: string, who = 'officer'): Promise<string[]> => {
    const res = await get(path, who);
    expect(res.status).toBe(200);
    return (await res.json()).children.map((c: { childId: string }) => c.childId);
  };

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url);
    owner = createPool(db.url, { role: null, max: 2 });
    store = createPostgresEventStore({ pool });
    const fx = new LedgerFixture(store, loadAdministrativeUnits());
    const register = (childId: string, fullName: string, dateOfBirth: string, commune: string, personalId?: string) =>
      fx.child(
        childId,
        'RegisterChild',
        { childId, fullName, dateOfBirth, sex: 'F', ...(personalId ? { personalId } : {}), residence: { communeCode: commune, effectiveFrom: '2025-08-01' } },
        { at: vn('2025-08-01', 9) },
      );
    await register('mai-00004', 'Nguyễn Thị Mai', '2016-03-14', '00004', '001316000123');
    await fx.child('mai-00004', 'IdentifySpecialCircumstance', { group: 3, effectiveFrom: '2025-08-02' }, { at: vn('2025-08-02') });
    await register('mai-00008', 'Nguyễn Thị Mai', '2016-03-14', '00008');
    await register('hung-00004', 'Trần Văn Hùng', '2017-05-20', '00004');
    await fx.child(
      'hung-00004',
      'CorrectChildDetails',
      { changes: { fullName: 'Trần Văn Hưng' }, reason: 'sai chính tả trong giấy khai sinh' },
      { at: vn('2025-08-05'), actor: { userId: 'officer-00004', role: 'data_officer' } },
    );
    await register('mai-erased', 'Nguyễn Thị Mai', '2016-03-14', '00004');
    await fx.child(
      'mai-erased',
      'ErasePersonalData',
      { reason: 'yêu cầu xoá dữ liệu' },
      { at: vn('2025-10-01'), actor: { userId: 'admin-1', role: 'admin' }, reason: 'erasure request' },
    );
    for (let n = 0; n < N_HOA; n++) await register(`hoa-${String(n).padStart(2, '0')}`, `Lê Thị Hoa ${String(n).padStart(2, '0')}`, '2015-01-01', '00004');
    await fx.case(
      'case-of-mai',
      'OpenCase',
      { caseId: 'case-of-mai', childId: 'mai-00004', channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: vn('2025-08-03', 8) },
      { at: vn('2025-08-03', 9) },
    );
    await fx.backdate(owner);
    const runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: new UnitResolver(loadAdministrativeUnits()) });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();

    t = await createTestAuth();
    tokens['officer'] = await t.tokenFor(t.users.communeOfficer); // data officer, commune 00004
    tokens['provinceCaseWorker'] = await t.tokenFor(t.users.provinceCaseWorker); // province 01
    tokens['hcmOfficer'] = await t.tokenFor({ role: 'data_officer', userId: 'hcm-officer', provinces: ['79'] });
    tokens['inspector'] = await t.tokenFor(t.users.provinceInspector);
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

  it('finds a name typed with accents, without, in Telex and in VNI; the jurisdiction (current residence) excludes 00008', async () => {
    for (const typed of ['Nguyễn Thị Mai', 'nguyen thi mai', 'Nguyeenx Thij Mai', 'Nguye6n4 Thi5', 'thi mai', 'NGUYEN']) {
      expect(await ids(`/children/search?name=${encodeURIComponent(typed)}`)).toEqual(['mai-00004']);
    }
    // A province case worker sees both communes.
    expect(await ids(`/children/search?name=${encodeURIComponent('Nguyeenx Thij Mai')}`, 'provinceCaseWorker')).toEqual(['mai-00004', 'mai-00008']);
    expect(await ids('/children/search?name=mai', 'hcmOfficer')).toEqual([]);
    // Word starts only: "ai" is not a word of the name.
    expect(await ids('/children/search?name=ai')).toEqual([]);
  });

  it('filters by birth date or year, commune, personal ID, national-ID state and group', async () => {
    expect(await ids('/children/search?dateOfBirth=2016-03-14')).toEqual(['mai-00004']);
    expect(await ids('/children/search?birthYear=2017')).toEqual(['hung-00004']);
    expect(await ids('/children/search?birthYear=2016&communeCode=00008', 'provinceCaseWorker')).toEqual(['mai-00008']);
    expect(await ids('/children/search?personalId=001316000123')).toEqual(['mai-00004']);
    expect(await ids('/children/search?group=3')).toEqual(['mai-00004']);
    expect((await ids('/children/search?nationalIdState=none&birthYear=2015')).length).toBe(N_HOA);
    expect(await ids('/children/search?nationalIdState=linked')).toEqual([]);
    // The corrected name is the one found.
    expect(await ids('/children/search?name=hung')).toEqual(['hung-00004']);
    const res = await get('/children/search?name=hung', 'officer');
    expect((await res.json()).children[0]).toMatchObject({
      fullName: 'Trần Văn Hưng',
      dateOfBirth: '2017-05-20',
      communeCode: '00004',
      nationalIdState: 'none',
      atRisk: false,
    });
  });

  it('pages by keyset, every child once, in name order', async () => {
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/children/search?name=hoa&limit=10${next ? `&after=${next}` : ''}`, 'officer');
      expect(res.status).toBe(200);
      const body = await res.json();
      seen.push(...body.children.map((c: { childId: string }) => c.childId));
      next = body.next;
      pages++;
    } while (next !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: N_HOA }, (_, n) => `hoa-${String(n).padStart(2, '0')}`));
  });

  it('refuses without a purpose, bad filters and other roles, naming the field', async () => {
    const noPurpose = await get('/children/search?name=mai', 'officer', null);
    expect(noPurpose.status).toBe(400);
    expect(JSON.stringify(await noPurpose.json())).toContain('purpose');
    for (const [q, field] of [
      ['birthYear=16', 'birthYear'],
      ['dateOfBirth=2016-02-30', 'dateOfBirth'],
      ['communeCode=4', 'communeCode'],
      ['personalId=12ab', 'personalId'],
      ['group=15', 'group'],
      ['nationalIdState=maybe', 'nationalIdState'],
      ['after=xyz', 'after'],
      ['limit=0', 'limit'],
    ]) {
      const res = await get(`/children/search?${q}`, 'officer');
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain(field);
    }
    expect((await get('/children/search?name=mai', 'inspector')).status).toBe(403);
  });

  it('writes each child shown to the read audit, with the purpose and the filters used (never their values)', async () => {
    await owner.query('DELETE FROM read_audit');
    await get(`/children/search?name=${encodeURIComponent('Nguyeenx Thij')}&birthYear=2016`, 'officer', 'data_correction');
    await get('/children/search?personalId=009999999999', 'officer', 'reconciliation');
    const rows = (await owner.query('SELECT user_id, role, purpose, resource_id, child_id, view FROM read_audit ORDER BY id')).rows;
    expect(rows).toEqual([
      {
        user_id: t.users.communeOfficer.userId,
        role: 'data_officer',
        purpose: 'data_correction',
        resource_id: 'mai-00004',
        child_id: 'mai-00004',
        view: 'search:name,birthYear',
      },
      {
        user_id: t.users.communeOfficer.userId,
        role: 'data_officer',
        purpose: 'reconciliation',
        resource_id: 'search',
        child_id: null,
        view: 'search:personalId',
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain('009999999999');
  });

  it('an erased child has no search row and is never found', async () => {
    expect((await owner.query(`SELECT count(*)::int AS n FROM rm_child_search WHERE child_id = 'mai-erased'`)).rows[0].n).toBe(0);
    expect(await ids('/children/search?dateOfBirth=2016-03-14')).not.toContain('mai-erased');
  });

  it('a name search is served by the trigram index', async () => {
    const c = await owner.connect();
    try {
      await c.query('BEGIN');
      // Only the trigram index can serve the LIKE conditions (no other path, no scan, allowed).
      await c.query('SET LOCAL enable_seqscan = off');
      await c.query('DROP INDEX rm_child_search_province_idx, rm_child_search_commune_idx');
      const plan = (await c.query(`EXPLAIN SELECT child_id FROM rm_child_search WHERE name_folded LIKE '% nguyen%' AND name_folded LIKE '% mai%'`)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toContain('rm_child_search_name_trgm_idx');
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
  });

  it('the child page: the timeline shows the correction from → to with who and why; cases per role', async () => {
    const tl = await (await get('/children/hung-00004/timeline', 'officer')).json();
    expect(tl.events.map((e: { type: string }) => e.type)).toEqual(['ChildRegistered', 'ChildDetailsCorrected']);
    expect(tl.events[1]).toMatchObject({
      actorUserId: 'officer-00004',
      actorRole: 'data_officer',
      reason: 'sai chính tả trong giấy khai sinh',
      changes: [{ field: 'fullName', from: 'Trần Văn Hùng', to: 'Trần Văn Hưng' }],
    });
    expect((await get('/children/mai-00008/timeline', 'officer')).status).toBe(404);
    expect((await get('/children/hung-00004/timeline', 'officer', null)).status).toBe(400);
    const officerCases = await (await get('/children/mai-00004/cases', 'officer')).json();
    expect(officerCases).toEqual({ childId: 'mai-00004', openCaseCount: 1, contentVisible: false, cases: [] });
    const workerCases = await (await get('/children/mai-00004/cases', 'provinceCaseWorker')).json();
    expect(workerCases).toMatchObject({ openCaseCount: 1, contentVisible: true, cases: [{ caseId: 'case-of-mai', status: 'report_received' }] });
  });
});

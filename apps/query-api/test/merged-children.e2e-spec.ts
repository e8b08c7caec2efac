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

/**
 * A merge says two records are one child: the survivor's record, its cases and the search carry the
 * duplicate's facts (groups, risks, national-ID link, cases), and a revert takes them back (issue 11).
 */
describe('a merged duplicate’s facts on the surviving child (query API, real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  let fx: LedgerFixture;
  let token: string;

  type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = async (path: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}`, 'x-purpose': 'case_work' } });
    return { status: res.status, body: await res.json() };
  };
  const project = async () => {
    await fx.backdate(owner);
    const runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: new UnitResolver(loadAdministrativeUnits()) });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();
  };
  /** sc_children, abuse_new_cases and children in group 9 of commune 00004 in 2025, and the children on record. */
  const figures = async () => {
    const res = await get('/indicators?unit=00004&period=2025&by=group');
    expect(res.status).toBe(200);
    const value = (name: string) => res.body.indicators.find((v: { indicator: string }) => v.indicator === name)?.value;
    const group9 = res.body.breakdown.find((r: { key: { group?: number } }) => r.key.group === 9);
    return {
      onRecord: res.body.childrenOnRecord,
      sc: value('sc_children'),
      abuseNew: value('abuse_new_cases'),
      group9: group9?.indicators.find((v: { indicator: string }) => v.indicator === 'sc_children')?.value ?? 0,
    };
  };
  const found = async (query: string): Promise<string[]> => {
    const res = await get(`/children/search?${query}`);
    expect(res.status).toBe(200);
    return res.body.children.map((c: { childId: string }) => c.childId);
  };

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url);
    owner = createPool(db.url, { role: null, max: 2 });
    store = createPostgresEventStore({ pool });
    fx = new LedgerFixture(store, loadAdministrativeUnits());
    const register = (childId: string, fullName: string) =>
      fx.child(
        childId,
        'RegisterChild',
        { childId, fullName, dateOfBirth: '2016-03-14', sex: 'F', residence: { communeCode: '00004', effectiveFrom: '2025-08-01' } },
        { at: vn('2025-08-01', 9) },
      );
    // The survivor: a group-3 child, no national ID. The duplicate: group 9, at risk (group 2), linked, with a case.
    await register('survivor', 'Nguyễn Thị Mai');
    await fx.child('survivor', 'IdentifySpecialCircumstance', { group: 3, effectiveFrom: '2025-08-02' }, { at: vn('2025-08-02') });
    await register('duplicate', 'Nguyen Thi Mai');
    await fx.child('duplicate', 'IdentifySpecialCircumstance', { group: 9, effectiveFrom: '2025-08-03' }, { at: vn('2025-08-03') });
    await fx.child('duplicate', 'IdentifyRisk', { group: 2, effectiveFrom: '2025-08-03' }, { at: vn('2025-08-03') });
    await fx.child('duplicate', 'LinkNationalId', { personalId: '001316000123', source: 'officer' }, { at: vn('2025-08-04') });
    await fx.case(
      'case-of-duplicate',
      'OpenCase',
      {
        caseId: 'case-of-duplicate',
        childId: 'duplicate',
        channel: 'school',
        concern: 'physical_abuse',
        protectionLevel: 'support',
        reportedAt: vn('2025-08-04', 8),
      },
      { at: vn('2025-08-04', 9) },
    );
    await register('bystander', 'Trần Thị Lan');
    await project();

    t = await createTestAuth();
    token = await t.tokenFor(t.users.provinceCaseWorker);
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

  it('before the merge: each record holds only its own facts', async () => {
    const survivor = await get('/children/survivor');
    expect(survivor.body).toMatchObject({ circumstances: [3], risks: [], nationalId: { state: 'none' }, mergedFrom: [] });
    expect((await get('/children/survivor/cases')).body.cases).toEqual([]);
    expect(await found('group=9')).toEqual(['duplicate']);
    // Three records, two in special circumstances (groups 3 and 9), one new case of abuse (group 9).
    expect(await figures()).toEqual({ onRecord: 3, sc: 2, abuseNew: 1, group9: 1 });
  });

  it('after the merge: the survivor carries the duplicate’s groups, risks, national-ID link and cases, in the record and the search', async () => {
    await fx.child('duplicate', 'MergeChildRecords', { survivingChildId: 'survivor', reason: 'cùng một trẻ' }, { at: vn('2025-09-01') });
    await project();
    const survivor = await get('/children/survivor');
    expect(survivor.status).toBe(200);
    expect(survivor.body).toMatchObject({
      childId: 'survivor',
      status: 'active',
      circumstances: [3, 9],
      risks: [2],
      atRisk: true,
      nationalId: { state: 'linked', source: 'officer' },
      mergedFrom: ['duplicate'],
    });
    // Its own details stay its own.
    expect(survivor.body.personal.fullName).toBe('Nguyễn Thị Mai');
    expect((await get('/children/survivor/cases')).body.cases.map((c: { caseId: string }) => c.caseId)).toEqual(['case-of-duplicate']);
    // The search finds the survivor by the duplicate's facts, shows them on its row, and no longer lists the duplicate.
    expect(await found('group=9')).toEqual(['survivor']);
    expect(await found('group=3')).toEqual(['survivor']);
    expect(await found('nationalIdState=linked')).toEqual(['survivor']);
    expect(await found('nationalIdState=none')).toEqual(['bystander']);
    const row = (await get('/children/search?name=mai')).body.children;
    expect(row).toEqual([expect.objectContaining({ childId: 'survivor', circumstances: [3, 9], nationalIdState: 'linked' })]);
    // The indicators count one child, in special circumstances through both records' groups.
    expect(await figures()).toEqual({ onRecord: 2, sc: 1, abuseNew: 1, group9: 1 });
    // The duplicate's own record says where it went and carries nothing of the survivor's.
    expect((await get('/children/duplicate')).body).toMatchObject({ status: 'merged', mergedInto: 'survivor', circumstances: [9], mergedFrom: [] });
  });

  it('after a revert: each record is its own again', async () => {
    await fx.child('duplicate', 'RevertMerge', { reason: 'không phải cùng một trẻ' }, { at: vn('2025-09-02') });
    await project();
    expect((await get('/children/survivor')).body).toMatchObject({ circumstances: [3], risks: [], nationalId: { state: 'none' }, mergedFrom: [] });
    expect((await get('/children/survivor/cases')).body.cases).toEqual([]);
    expect((await found('group=9')).sort()).toEqual(['duplicate']);
    expect((await found('nationalIdState=linked')).sort()).toEqual(['duplicate']);
    expect(await figures()).toEqual({ onRecord: 3, sc: 2, abuseNew: 1, group9: 1 });
  });
});

import { loadAdministrativeUnits } from '@childledger/admin-units';
import type { EventStore } from '@childledger/event-store';
import { EVENT_STORE } from '@childledger/platform';
import { PROJECTIONS, ProjectionRunner, UnitResolver } from '@childledger/read-models';
import { dumpAllTables, foundIn } from '../apps/registry-api/src/erasure/testing/personal-value-search';
import { RegistryApiHarness, registration } from '../apps/registry-api/test/registry-api.harness';

type Written = { id: string; revision: number };

/** Issue 13: erasure reaches every copy — the records merged into an erased child, over real HTTP. */
describe('registry API: erasure of merged records', () => {
  let api: RegistryApiHarness;
  let runner: ProjectionRunner;
  beforeAll(async () => {
    api = await RegistryApiHarness.start();
    // The read models too (as the query API runs them), over the service's own decrypting store.
    runner = new ProjectionRunner({ store: api.app.get<EventStore>(EVENT_STORE), pool: api.owner, projections: PROJECTIONS, units: new UnitResolver(loadAdministrativeUnits()), batchSize: 50 });
    await runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await api.stop();
  });

  async function register(personal: Record<string, unknown>): Promise<string> {
    const res = await api.post<Written>('/children', registration({ personalId: undefined, ...personal }));
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function settled(): Promise<void> {
    // Each read model has applied everything written so far.
    const { rows } = await api.owner.query<{ n: string }>('SELECT count(*) AS n FROM events');
    const total = Number(rows[0]!.n);
    for (let i = 0; i < 200; i++) {
      const r = await api.owner.query<{ n: string }>("SELECT count(*) AS n FROM rm_audit_index");
      if (Number(r.rows[0]!.n) >= total) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('read models did not catch up');
  }

  it('erasing the surviving record erases the duplicate merged into it (and the one merged into that): no table holds their names in any encoding', async () => {
    const A = { fullName: 'Lương Thị Ngọc Diệp', motherName: 'Đinh Thị Hoà Bình', dateOfBirth: '2016-05-20' };
    const B = { fullName: 'Luong Thi Ngoc Diep', motherName: 'Dinh Thi Hoa Binhh', fatherName: 'Lương Văn Thắng', dateOfBirth: '2016-05-20', notes: 'ở nhờ nhà chú Thắng' };
    const C = { fullName: 'Lương Ngọc Diệp', fatherName: 'Lương Văn Thắngg', dateOfBirth: '2016-05-20' };
    const a = await register(A);
    const b = await register(B);
    const c = await register(C);
    expect((await api.post(`/children/${c}/merge`, { survivingChildId: b, reason: 'cùng một trẻ' })).status).toBe(200);
    expect((await api.post(`/children/${b}/merge`, { survivingChildId: a, reason: 'cùng một trẻ' })).status).toBe(200);
    await settled();
    // The copies are there before the erasure (the search is real).
    expect(foundIn((await dumpAllTables(api.owner)).text, [B.fullName, C.fullName])).toEqual([B.fullName, C.fullName]);

    const erased = await api.post(`/children/${a}/erasure`, { reason: 'Quyết định số 21/2026/QĐ-UBND, Điều 17' }, 'admin');
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ childId: a, alreadyErased: false });
    expect([...(erased.body['mergedRecordsErased'] as string[])].sort()).toEqual([b, c].sort());
    await settled();

    const { text, tables } = await dumpAllTables(api.owner);
    expect(tables).toEqual(expect.arrayContaining(['events', 'child_data_keys', 'rm_children', 'rm_audit_index']));
    expect(text).toContain(b); // the dump is real: the duplicate's (pseudonymous) id is there
    const personal = [A.fullName, A.motherName, B.fullName, B.motherName, B.fatherName, B.notes, C.fullName, C.fatherName];
    expect(foundIn(text, personal)).toEqual([]);
    for (const id of [a, b, c]) {
      expect((await api.owner.query('SELECT 1 FROM child_data_keys WHERE subject = $1', [id])).rowCount).toBe(0);
      const row = await api.owner.query<{ status: string; personal: unknown }>('SELECT status, personal FROM rm_children WHERE child_id = $1', [id]);
      expect(row.rows[0]).toEqual({ status: 'erased', personal: null });
    }
    // Each duplicate's stream records its own erasure, naming the record it was erased with.
    const [, , bErased] = await api.events(`child-${b}`);
    expect(bErased).toMatchObject({ event_type: 'ChildPersonalDataErased', metadata: { erasedWithChildId: a } });
    expect((await api.get(`/children/${b}`, 'admin')).body).not.toHaveProperty('fullName');
    // A retry is harmless.
    const retry = await api.post(`/children/${a}/erasure`, { reason: 'Quyết định số 21/2026/QĐ-UBND, Điều 17' }, 'admin');
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ alreadyErased: true });
  });

  it('a merged duplicate can be erased directly (2xx), and only it', async () => {
    const survivor = { fullName: 'Tạ Minh Khang', dateOfBirth: '2017-02-02' };
    const duplicate = { fullName: 'Ta Minh Khangg', fatherName: 'Tạ Văn Quảng', dateOfBirth: '2017-02-02' };
    const s = await register(survivor);
    const d = await register(duplicate);
    expect((await api.post(`/children/${d}/merge`, { survivingChildId: s, reason: 'trùng hồ sơ' })).status).toBe(200);
    const res = await api.post(`/children/${d}/erasure`, { reason: 'Quyết định số 22/2026/QĐ-UBND' }, 'admin');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ childId: d, alreadyErased: false, mergedRecordsErased: [] });
    await settled();
    const { text } = await dumpAllTables(api.owner);
    expect(foundIn(text, [duplicate.fullName, duplicate.fatherName])).toEqual([]);
    expect(foundIn(text, [survivor.fullName])).toEqual([survivor.fullName]);
    expect((await api.get(`/children/${s}`, 'admin')).body).toMatchObject({ status: 'active', fullName: survivor.fullName });
  });
});

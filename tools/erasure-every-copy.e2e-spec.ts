import type { INestApplication } from '@nestjs/common';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import type { EventStore } from '@childledger/event-store';
import { EVENT_STORE, loadConfig, PlatformConfig } from '@childledger/platform';
import { createQueryApi } from '../apps/query-api/src/query-api.app';
import { PROJECTIONS, ProjectionRunner, UnitResolver } from '@childledger/read-models';
import { dumpAllTables, foundIn } from '../apps/registry-api/src/erasure/testing/personal-value-search';
import { RegistryApiHarness, registration } from '../apps/registry-api/test/registry-api.harness';

type Written = { id: string; revision: number };

/**
 * Issue 13: erasure reaches every copy — the records merged into an erased child, and the free
 * text (reasons) written about it — over real HTTP, with the read models running and every table
 * searched for the values in every encoding.
 */
describe('erasure reaches every copy (registry API, read models, query API audit trail)', () => {
  let api: RegistryApiHarness;
  let runner: ProjectionRunner;
  let queryApp: INestApplication;
  let queryBase: string;
  beforeAll(async () => {
    api = await RegistryApiHarness.start();
    // The read models too (as the query API runs them), over the service's own decrypting store.
    runner = new ProjectionRunner({
      store: api.app.get<EventStore>(EVENT_STORE),
      pool: api.owner,
      projections: PROJECTIONS,
      units: new UnitResolver(loadAdministrativeUnits()),
      batchSize: 50,
    });
    await runner.start();
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: Buffer.alloc(32, 7).toString('base64') });
    queryApp = await createQueryApi(config, api.db.url, { auth: api.auth.auth });
    await queryApp.listen(0, '127.0.0.1');
    queryBase = `${(await queryApp.getUrl()).replace('[::1]', '127.0.0.1')}/api/v1`;
  });
  afterAll(async () => {
    await runner.stop();
    await queryApp?.close();
    await api.stop();
  });

  async function auditTrail(childId: string): Promise<{ eventType: string; reason: string | null; summary: Record<string, unknown> }[]> {
    const res = await fetch(`${queryBase}/audit/events?childId=${childId}&limit=100`, {
      headers: { authorization: `Bearer ${await api.token('admin')}`, 'x-purpose': 'inspection' },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: { eventType: string; reason: string | null; summary: Record<string, unknown> }[] }).items;
  }

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
      const r = await api.owner.query<{ n: string }>('SELECT count(*) AS n FROM rm_audit_index');
      if (Number(r.rows[0]!.n) >= total) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('read models did not catch up');
  }

  it('erasing the surviving record erases the duplicate merged into it (and the one merged into that): no table holds their names in any encoding', async () => {
    const A = { fullName: 'Lương Thị Ngọc Diệp', motherName: 'Đinh Thị Hoà Bình', dateOfBirth: '2016-05-20' };
    const B = {
      fullName: 'Luong Thi Ngoc Diep',
      motherName: 'Dinh Thi Hoa Binhh',
      fatherName: 'Lương Văn Thắng',
      dateOfBirth: '2016-05-20',
      notes: 'ở nhờ nhà chú Thắng',
    };
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

  it("an imported child's erasure removes its import dedupe key: nothing says the row was imported, and importing it again registers a new child", async () => {
    const csv = '\ufeffMa ho so,Ho va ten,Ngay sinh,Gioi tinh,Xa/Phuong,Tinh/Thanh pho\r\nE1,Vương Thị Hằng,05/05/2018,Nữ,00004,01\r\n';
    const upload = () =>
      api.request<{ id: string; rows: Record<string, number> }>('POST', '/imports?fileName=erasure.csv', {
        body: Buffer.from(csv),
        headers: { 'content-type': 'text/csv' },
      });
    const first = await upload();
    expect(first.status).toBe(201);
    expect(first.body.rows).toMatchObject({ imported: 1, alreadyImported: 0 });
    const keys = await api.owner.query<{ child_id: string }>('SELECT child_id FROM import_dedupe_keys WHERE import_id = $1', [first.body.id]);
    expect(keys.rows).toHaveLength(1);
    const child = keys.rows[0]!.child_id;
    expect((await api.post(`/children/${child}/erasure`, { reason: 'Quyết định số 31/2026/QĐ-UBND' }, 'admin')).status).toBe(200);
    expect((await api.owner.query('SELECT 1 FROM import_dedupe_keys WHERE child_id = $1', [child])).rowCount).toBe(0);
    const again = await upload();
    expect(again.body.rows).toMatchObject({ imported: 1, alreadyImported: 0 });
  });

  it('free-text reasons are sealed with the child key: readable in the audit trail until the erasure, then "[erased]", and in no table in any encoding', async () => {
    const child = await register({ fullName: 'Hoàng Thị Bích Ngọc', dateOfBirth: '2016-08-08' });
    const twin = await register({ fullName: 'Hoang Thi Bich Ngocc', dateOfBirth: '2016-08-08' });
    const R = {
      correction: 'bà Hoàng Thị Sáu (bà ngoại) báo sai ghi chú',
      merge: 'trùng với hồ sơ do ông Đặng Văn Lực khai',
      referral: 'anh Phùng Văn Kiên (chú ruột) đánh cháu',
      reopen: 'cô giáo Ngô Thị Hạnh báo lại',
      erasure: 'Quyết định số 23/2026/QĐ-UBND, Điều 17',
    };
    expect((await api.post(`/children/${child}/corrections`, { changes: { notes: 'ở với bà ngoại' }, reason: R.correction })).status).toBe(200);
    expect((await api.post(`/children/${twin}/merge`, { survivingChildId: child, reason: R.merge })).status).toBe(200);
    const opened = await api.post<Written>(
      '/cases',
      { childId: child, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date(Date.now() - 3600_000).toISOString() },
      'provinceCaseWorker',
    );
    expect(opened.status).toBe(201);
    const caseId = opened.body.id;
    expect(
      (
        await api.post(
          `/cases/${caseId}/referrals`,
          { sector: 'public_security', referredTo: 'Công an phường Ba Đình', reason: R.referral },
          'provinceCaseWorker',
        )
      ).status,
    ).toBe(200);
    expect((await api.post(`/cases/${caseId}/assessment`, { riskLevel: 'low' }, 'provinceCaseWorker')).status).toBe(200);
    expect((await api.post(`/cases/${caseId}/closure`, { outcome: 'no_protection_needed' }, 'provinceCaseWorker')).status).toBe(200);
    expect((await api.post(`/cases/${caseId}/reopening`, { reason: R.reopen }, 'provinceCaseWorker')).status).toBe(200);
    await settled();

    // Stored: ciphertext only. Read: decrypted, in the audit trail of the query API.
    const { rows } = await api.owner.query<{ t: string }>(`SELECT data::text || metadata::text AS t FROM events WHERE stream_id = ANY($1)`, [
      [`child-${child}`, `child-${twin}`, `case-${caseId}`],
    ]);
    expect(foundIn(rows.map((r) => r.t).join('\n'), [R.correction, R.merge, R.referral, R.reopen])).toEqual([]);
    const before = await auditTrail(child);
    expect(before.filter((e) => e.reason !== null).map((e) => [e.eventType, e.reason])).toEqual(
      expect.arrayContaining([
        ['ChildDetailsCorrected', R.correction],
        ['CaseReferred', R.referral],
        ['CaseReopened', R.reopen],
      ]),
    );
    expect((await auditTrail(twin)).find((e) => e.eventType === 'ChildRecordsMerged')).toMatchObject({ reason: R.merge });
    for (const e of before) expect(JSON.stringify(e.summary)).not.toContain('reason');

    expect((await api.post(`/children/${child}/erasure`, { reason: R.erasure }, 'admin')).status).toBe(200);
    await settled();
    const after = await auditTrail(child);
    expect(after.filter((e) => ['ChildDetailsCorrected', 'CaseReferred', 'CaseReopened'].includes(e.eventType)).map((e) => e.reason)).toEqual([
      '[erased]',
      '[erased]',
      '[erased]',
    ]);
    expect(after.find((e) => e.eventType === 'ChildPersonalDataErased')).toMatchObject({ reason: R.erasure }); // the legal reason stays, for auditors
    expect((await auditTrail(twin)).find((e) => e.eventType === 'ChildRecordsMerged')).toMatchObject({ reason: '[erased]' });
    const { text } = await dumpAllTables(api.owner);
    expect(foundIn(text, [R.correction, R.merge, R.referral, R.reopen, 'Hoàng Thị Bích Ngọc', 'Hoang Thi Bich Ngocc'])).toEqual([]);
    expect(foundIn(text, [R.erasure])).toEqual([R.erasure]);
  });
});

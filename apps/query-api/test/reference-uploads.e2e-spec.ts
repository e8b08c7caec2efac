import type { INestApplication } from '@nestjs/common';
import * as ExcelJS from 'exceljs';
import { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { createQueryApi } from '../src/query-api.app';

// Targets and child populations for the Administration screen: a preview that validates as the
// upload does and stores nothing, all-or-nothing uploads, and the version history (docs/indicators.md).

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = 'unit_code,period,indicator,target';

describe('targets and populations: preview, upload, versions (e2e)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;
  let owner: Pool;
  const tokens: Record<string, string> = {};

  type Res = Omit<Response, 'json'> & { json(): Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = (path: string, who: string): Promise<Res> => fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  const post = (path: string, who: string, body: string | Buffer, type = 'text/csv'): Promise<Res> =>
    fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': type }, body });
  const counts = async () =>
    (
      await owner.query<{ versions: number; values: number }>(
        `SELECT (SELECT count(*)::int FROM indicator_reference_versions) AS versions, (SELECT count(*)::int FROM indicator_reference_values) AS values`,
      )
    ).rows[0]!;
  const target = async (unit: string, period: string, indicator: string) =>
    ((await (await get(`/indicators?unit=${unit}&period=${period}`, 'admin')).json()).indicators as { indicator: string; target: number | null }[]).find(
      (i) => i.indicator === indicator,
    )!.target;

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    owner = createPool(db.url, { role: null, max: 2 });
    t = await createTestAuth();
    tokens['admin'] = await t.tokenFor(t.users.admin);
    tokens['inspector'] = await t.tokenFor(t.users.provinceInspector);
    tokens['officer'] = await t.tokenFor({ role: 'data_officer', userId: 'hn-officer', provinces: ['01'], communes: [] });
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: Buffer.alloc(32, 7).toString('base64') });
    app = await createQueryApi(config, db.url, { auth: t.auth });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const first = await post('/indicators/targets?fileName=chi-tieu-2026.csv', 'admin', `${HEADER}\n01,2026,sc_supported_share,95\n01,2026,sc_children,10\n`);
    expect(first.status).toBe(201);
  });

  afterAll(async () => {
    await app.close();
    await owner.end();
    await db.drop();
  });

  it('previews a file row by row (added, changed old → new, unchanged, each wrong row with field and rule) and stores nothing', async () => {
    const before = await counts();
    const csv = [
      HEADER,
      '01,2026,sc_supported_share,98', // changed 95 → 98
      '01,2026,sc_children,10', // unchanged
      '00004,2026,sc_children,3', // added
      '00004,2026,happiness,3', // unknown indicator
      '1,2026,sc_children,4', // Excel dropped the leading zero
      '00008,2026-13,sc_children,-1', // bad period and negative
      '00004,2026,sc_children,5', // the same key as row 4
    ].join('\n');
    const res = await post('/indicators/targets/preview?fileName=chi-tieu.csv', 'admin', csv);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ kind: 'target', fileName: 'chi-tieu.csv', rows: 7, added: 1, changed: 1, unchanged: 1, invalid: 4 });
    expect(body.items.map((i: { row: number; status: string; current: number | null; value: string }) => [i.row, i.status, i.current, i.value])).toEqual([
      [2, 'changed', 95, '98'],
      [3, 'unchanged', 10, '10'],
      [4, 'added', null, '3'],
      [5, 'invalid', null, '3'],
      [6, 'invalid', null, '4'],
      [7, 'invalid', null, '-1'],
      [8, 'invalid', null, '5'],
    ]);
    expect(body.items[0].currentVersion).toBe(1);
    expect(body.errors.map((e: { row: number; field: string; rule: string }) => [e.row, e.field, e.rule])).toEqual([
      [5, 'indicator', 'INDICATOR_UNKNOWN'],
      [6, 'unit_code', 'UNIT_CODE_FORMAT'],
      [7, 'period', 'PERIOD_FORMAT'],
      [7, 'target', 'NEGATIVE'],
      [8, 'target', 'DUPLICATE'],
    ]);
    expect(await counts()).toEqual(before);
    // The upload of the same file is refused as a whole, naming every problem, and stores nothing either.
    const refused = await post('/indicators/targets', 'admin', csv);
    expect(refused.status).toBe(400);
    const problem = await refused.json();
    expect(problem).toMatchObject({ field: 'indicator', rule: 'INDICATOR_UNKNOWN', row: 5 });
    expect(problem.errors).toHaveLength(5);
    expect(await counts()).toEqual(before);
    expect(await target('01', '2026', 'sc_supported_share')).toBe(95);
  });

  it('previews populations; rows outside an inspector’s jurisdiction are problems of the preview and a 403 of the upload', async () => {
    const csv = 'unit_code,period,child_population\n00004,2026,1200\n79,2026,5000\n00004,2026,12.5\n';
    const res = await post('/indicators/populations/preview', 'inspector', csv);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ kind: 'population', added: 1, invalid: 2 });
    expect(body.errors.map((e: { row: number; rule: string }) => [e.row, e.rule])).toEqual([
      [3, 'OUTSIDE_JURISDICTION'],
      [4, 'NOT_WHOLE'],
    ]);
    expect((await post('/indicators/populations', 'inspector', csv)).status).toBe(403);
    expect((await post('/indicators/populations/preview', 'officer', csv)).status).toBe(403);
    expect((await get('/indicators/populations/versions', 'officer')).status).toBe(403);
  });

  it('refuses a file it cannot read with a 400 naming body or the missing column, in preview as in upload', async () => {
    for (const path of ['/indicators/targets/preview', '/indicators/targets']) {
      const empty = await post(path, 'admin', `${HEADER}\n`);
      expect(empty.status).toBe(400);
      expect(await empty.json()).toMatchObject({ field: 'body', rule: 'NO_ROWS' });
      const column = await post(path, 'admin', 'unit_code,period,value\n01,2026,3\n');
      expect(column.status).toBe(400);
      expect(await column.json()).toMatchObject({ field: 'indicator', rule: 'MISSING_COLUMN' });
      const json = await fetch(`${base}/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens['admin']}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(json.status).toBe(400);
      expect(await json.json()).toMatchObject({ field: 'body', rule: 'CONTENT_TYPE' });
      const broken = await post(path, 'admin', Buffer.from('not a workbook'), XLSX);
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ field: 'body', rule: 'UNREADABLE_FILE' });
    }
    expect((await post('/indicators/targets/preview?fileName=' + 'x'.repeat(300), 'admin', `${HEADER}\n01,2026,sc_children,1\n`)).status).toBe(400);
    // A blank line is skipped but counted: the problem names the line the file shows.
    const blank = await (await post('/indicators/targets/preview', 'admin', `${HEADER}\n01,2026,sc_children,1\n\n01,2026,sc_rate,x\n`)).json();
    expect(blank.errors.map((e: { row: number; rule: string }) => [e.row, e.rule])).toEqual([[4, 'NOT_A_NUMBER']]);
  });

  it('takes an XLSX workbook (first sheet) as it takes a CSV, and lists each upload as a version with who, when, rows and file name', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Chỉ tiêu');
    sheet.addRow(['unit_code', 'period', 'indicator', 'target']);
    sheet.addRow(['01', '2026', 'sc_supported_share', 98]);
    sheet.addRow(['00004', '2026', 'sc_children', 3]);
    const file = Buffer.from(await book.xlsx.writeBuffer());
    const preview = await (await post('/indicators/targets/preview', 'admin', file, XLSX)).json();
    expect(preview).toMatchObject({ rows: 2, added: 1, changed: 1, invalid: 0 });
    const uploaded = await post('/indicators/targets?fileName=chi-tieu-2026-sua.xlsx', 'admin', file, XLSX);
    expect(uploaded.status).toBe(201);
    expect(await uploaded.json()).toEqual({ kind: 'target', version: 2, rows: 2 });
    // Today's figures use the latest version holding each value; the rest still come from version 1.
    expect(await target('01', '2026', 'sc_supported_share')).toBe(98);
    expect(await target('01', '2026', 'sc_children')).toBe(10);

    const page = await (await get('/indicators/targets/versions', 'inspector')).json();
    expect(page).toMatchObject({ total: 2, limit: 20, offset: 0 });
    expect(
      page.items.map((v: { version: number; rowCount: number; fileName: string; loadedBy: string; latest: boolean }) => [
        v.version,
        v.rowCount,
        v.fileName,
        v.loadedBy,
        v.latest,
      ]),
    ).toEqual([
      [2, 2, 'chi-tieu-2026-sua.xlsx', t.users.admin.userId, true],
      [1, 2, 'chi-tieu-2026.csv', t.users.admin.userId, false],
    ]);
    expect(page.items[0].loadedByName).toBe(t.users.admin.name);
    expect(Date.parse(page.items[0].loadedAt)).toBeGreaterThan(Date.now() - 600_000);
    const second = await (await get('/indicators/targets/versions?limit=1&offset=1', 'admin')).json();
    expect(second.items.map((v: { version: number; latest: boolean }) => [v.version, v.latest])).toEqual([[1, false]]);
    const rows = await (await get('/indicators/targets/versions/2', 'admin')).json();
    expect(rows).toMatchObject({ version: { version: 2, rowCount: 2, latest: true }, total: 2 });
    expect(rows.rows).toEqual([
      { unitCode: '00004', period: '2026', indicator: 'sc_children', value: 3 },
      { unitCode: '01', period: '2026', indicator: 'sc_supported_share', value: 98 },
    ]);
    expect((await get('/indicators/targets/versions/9', 'admin')).status).toBe(404);
    expect(await (await get('/indicators/targets/versions/x', 'admin')).json()).toMatchObject({ field: 'version' });
    expect(await (await get('/indicators/targets/versions?limit=0', 'admin')).json()).toMatchObject({ field: 'limit' });
    expect((await (await get('/indicators/populations/versions', 'admin')).json()).total).toBe(0);
  });

  it("shows an inspector only their provinces' rows of a version", async () => {
    expect(
      (await post('/indicators/populations', 'admin', 'unit_code,period,child_population\n01,2026,900000\n79,2026,1500000\n00004,2026,5000\n')).status,
    ).toBe(201);
    const mine = await (await get('/indicators/populations/versions/1', 'inspector')).json();
    expect(mine.rows.map((r: { unitCode: string }) => r.unitCode)).toEqual(['00004', '01']);
    expect(mine.total).toBe(2);
    expect((await (await get('/indicators/populations/versions/1', 'admin')).json()).total).toBe(3);
  });
});

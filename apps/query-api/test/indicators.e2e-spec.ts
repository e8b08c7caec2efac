import type { INestApplication } from '@nestjs/common';
import * as ExcelJS from 'exceljs';
import { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EventStore } from '@childledger/event-store';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { PROJECTIONS, ProjectionRunner, UnitResolver } from '@childledger/read-models';
import { LedgerFixture, writeIndicatorFixture } from '@childledger/read-models/testing';
import { createQueryApi } from '../src/query-api.app';

// GET /indicators with breakdowns, roll-ups, trends and the XLSX export, on the hand-computed
// fixture (libs/read-models/src/testing/indicator-fixture.ts; docs/indicators.md walks through it).
// Hà Nội, 2025, current units: A (F, 6–10), B (F, 6–10), C (M, 11–15), G (F, erased: age unknown) in
// 00008; D (M, 11–15) in 00004; E (M, 11–15) in 00025. F is a merged duplicate.

describe('indicators API (e2e)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  const tokens: Record<string, string> = {};

  type Res = Omit<Response, 'json'> & { json(): Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = (path: string, who: string): Promise<Res> => fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  const post = (path: string, who: string, body: string): Promise<Res> =>
    fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'text/csv' }, body });
  type Value = { indicator: string; value: number | null; target: number | null; gap: number | null; met: boolean | null; suppressed: boolean };
  type Row = { key: Record<string, string | number>; childrenOnRecord: number | null; indicators: Value[] };
  const v = (values: Value[], indicator: string) => values.find((x) => x.indicator === indicator)!;

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url);
    owner = createPool(db.url, { role: null, max: 2 });
    store = createPostgresEventStore({ pool });
    const fx = new LedgerFixture(store, loadAdministrativeUnits());
    await writeIndicatorFixture(fx);
    await fx.backdate(owner);
    const runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: new UnitResolver(loadAdministrativeUnits()) });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();
    t = await createTestAuth();
    tokens['ngocHaOfficer'] = await t.tokenFor({ role: 'data_officer', userId: 'ngoc-ha-officer', provinces: ['01'], communes: ['00008'] });
    tokens['provinceOfficer'] = await t.tokenFor({ role: 'data_officer', userId: 'hn-officer', provinces: ['01'], communes: [] });
    tokens['inspector'] = await t.tokenFor(t.users.provinceInspector);
    tokens['admin'] = await t.tokenFor(t.users.admin);
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: Buffer.alloc(32, 7).toString('base64') });
    app = await createQueryApi(config, db.url, { auth: t.auth });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    // Targets for Hà Nội and two communes (the Hanoi programme's: ≥ 98 % supported, ≤ 0.7 % in special circumstances).
    const csv = [
      'unit_code,period,indicator,target',
      '01,2025,sc_supported_share,98',
      '01,2025,sc_rate,0.7',
      '00008,2025,sc_children,2',
      '00004,2025,sc_children,1',
    ];
    expect((await post('/indicators/targets', 'admin', csv.join('\n'))).status).toBe(201);
    expect((await post('/indicators/populations', 'admin', 'unit_code,period,child_population\n01,2025,1000\n')).status).toBe(201);
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
    await owner.end();
    await db.drop();
  });

  it('lists the indicator definitions (at least 16, each with unit, direction and labels)', async () => {
    const defs = await (await get('/indicators/definitions', 'inspector')).json();
    expect(defs.length).toBeGreaterThanOrEqual(16);
    expect(defs.find((d: { indicator: string }) => d.indicator === 'sc_rate')).toMatchObject({ unit: 'percent', direction: 'at_most' });
  });

  it('reports a province against its targets, with the gap in the direction of each target', async () => {
    const r = await (await get('/indicators?unit=01&period=2025', 'inspector')).json();
    expect(r.childrenOnRecord).toBe(6);
    expect(v(r.indicators, 'sc_supported_share')).toMatchObject({ value: 25, target: 98, gap: -73, met: false });
    expect(v(r.indicators, 'sc_rate')).toMatchObject({ value: 0.4, target: 0.7, gap: -0.3, met: true }); // 4 of 1,000: at most 0.7 %
  });

  it('breaks a province down by commune and sex (every commune of the province listed), the rows adding up to the total', async () => {
    const r = await (await get('/indicators?unit=01&period=2025&by=commune,sex', 'inspector')).json();
    expect(r.by).toEqual(['commune', 'sex']);
    const rows: Row[] = r.breakdown;
    const children = (commune: string, sex: string) => rows.find((x) => x.key.commune === commune && x.key.sex === sex)!.childrenOnRecord;
    expect([children('00008', 'F'), children('00008', 'M'), children('00004', 'M'), children('00025', 'M'), children('00004', 'F')]).toEqual([3, 1, 1, 1, 0]);
    expect(rows.reduce((s, x) => s + x.childrenOnRecord!, 0)).toBe(6);
    expect(rows.reduce((s, x) => s + v(x.indicators, 'sc_children').value!, 0)).toBe(4);
    // Every commune of Hà Nội in force at the end of 2025 (126), each with F, M and unknown.
    expect(new Set(rows.map((x) => x.key.commune)).size).toBe(126);
    // Commune rows alone carry the commune's target.
    const byCommune: Row[] = (await (await get('/indicators?unit=01&period=2025&by=commune', 'inspector')).json()).breakdown;
    expect(v(byCommune.find((x) => x.key.commune === '00008')!.indicators, 'sc_children')).toMatchObject({ value: 3, target: 2, gap: 1, met: false });
    expect(v(byCommune.find((x) => x.key.commune === '00004')!.indicators, 'sc_children')).toMatchObject({ value: 1, target: 1, met: true });
  });

  it('breaks down by age band (the age on the last day of the period) and by special-circumstance group', async () => {
    const bands: Row[] = (await (await get('/indicators?unit=01&period=2025&by=ageBand', 'inspector')).json()).breakdown;
    expect(Object.fromEntries(bands.map((x) => [x.key.ageBand, x.childrenOnRecord]))).toEqual({ '0-5': 0, '6-10': 2, '11-15': 3, unknown: 1 });
    const groups: Row[] = (await (await get('/indicators?unit=01&period=2025&by=group', 'inspector')).json()).breakdown;
    expect(groups).toHaveLength(14);
    const sc = Object.fromEntries(groups.map((x) => [x.key.group, v(x.indicators, 'sc_children').value]));
    expect(sc).toMatchObject({ 1: 1, 2: 1, 3: 0, 4: 1, 5: 1, 9: 0 }); // E's group 3 ended on 2024-12-31
    expect(v(groups.find((x) => x.key.group === 9)!.indicators, 'at_risk_children').value).toBe(1); // C, at risk of group 9
    expect(groups[0]!.indicators.some((x) => x.indicator === 'cases_opened')).toBe(false);
  });

  it('rolls the whole country up for an admin only, by province', async () => {
    const r = await (await get('/indicators?unit=VN&period=2025&by=province', 'admin')).json();
    expect(r.childrenOnRecord).toBe(6);
    expect(r.breakdown).toHaveLength(34);
    expect(r.breakdown.find((x: Row) => x.key.province === '01').childrenOnRecord).toBe(6);
    expect((await get('/indicators?unit=VN&period=2025', 'inspector')).status).toBe(403);
  });

  it('answers a trend of months in one request', async () => {
    const r = await (await get('/indicators?unit=01&series=month&from=2025-01&to=2025-12', 'inspector')).json();
    expect(r.series.granularity).toBe('month');
    expect(r.series.points.map((p: { period: { label: string } }) => p.period.label)).toHaveLength(12);
    expect(r.series.points.map((p: { indicators: Value[] }) => v(p.indicators, 'cases_opened').value)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    // Children on record grow as they are registered: A, C, E in January; B, F (merged: not), G, then D.
    expect(r.series.points.map((p: { childrenOnRecord: number }) => p.childrenOnRecord)).toEqual([3, 3, 3, 3, 3, 3, 3, 5, 6, 6, 6, 6]);
    expect(r.period.label).toBe('2025-12');
    const quarters = await (await get('/indicators?unit=01&series=quarter&from=2025-Q1&to=2025-Q4&by=sex', 'inspector')).json();
    expect(quarters.series.points[3].breakdown.find((x: Row) => x.key.sex === 'F').childrenOnRecord).toBe(3);
  });

  it("maps targets across the 2025 reorganisation: 2024 targets (old codes) for 2024 asked in today's units", async () => {
    // Ngọc Hà (00008) was formed from eight former wards; 00007 was split between it and Giảng Võ.
    const former = ['00006', '00007', '00008', '00016', '00022', '00025', '00028', '00157'];
    const rows = [
      'unit_code,period,indicator,target',
      '01,2024,sc_children,10',
      ...former.flatMap((c) => [`${c},2024,sc_supported_share,90`, `${c},2024,sc_children,1`]),
    ];
    expect((await post('/indicators/targets', 'admin', rows.join('\n'))).status).toBe(201);
    const today = await (await get('/indicators?unit=01&period=2024&unitsOn=2025-09-01&by=commune', 'inspector')).json();
    expect(today.units).toBe('current');
    expect(v(today.indicators, 'sc_children').target).toBe(10); // Hà Nội went wholly into Hà Nội
    const ngocHa = today.breakdown.find((x: Row) => x.key.commune === '00008');
    expect(v(ngocHa.indicators, 'sc_supported_share').target).toBe(90); // the same share for all eight
    expect(v(ngocHa.indicators, 'sc_children').target).toBeNull(); // a count of a split ward cannot be divided
    // In the units of 2024 the targets are the uploaded ones, as uploaded.
    const then = await (await get('/indicators?unit=01&period=2024&by=commune', 'inspector')).json();
    expect(then.units).toBe('pre_2025');
    expect(v(then.breakdown.find((x: Row) => x.key.commune === '00007').indicators, 'sc_children').target).toBe(1);
  });

  it('refuses bad input naming the field', async () => {
    for (const [q, field] of [
      ['unit=01&period=2025&by=colour', 'by'],
      ['unit=01&period=2025&by=sex,sex', 'by'],
      ['unit=00008&period=2025&by=commune', 'by'],
      ['unit=01&period=2025&by=province', 'by'],
      ['unit=01&series=week&from=2025-01&to=2025-02', 'series'],
      ['unit=01&series=month&from=2025&to=2025-02', 'from'],
      ['unit=01&series=month&from=2025-03&to=2025-02', 'to'],
      ['unit=01&series=month&from=2015-01&to=2025-02', 'to'],
      ['unit=01&period=2025&series=month&from=2025-01&to=2025-02', 'period'],
      ['unit=01&period=2025&format=pdf', 'format'],
    ]) {
      const res = await get(`/indicators?${q}`, 'inspector');
      expect({ q, status: res.status, field: (await res.json()).field }).toEqual({ q, status: 400, field });
    }
  });

  it('exports the report as a workbook with Vietnamese headers, read back', async () => {
    const res = await get('/indicators?unit=01&period=2025&by=commune&format=xlsx', 'inspector');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain('chi-tieu-01-2025.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const report = wb.getWorksheet('Báo cáo')!;
    expect(report.getCell('A1').value).toBe('BÁO CÁO CHỈ TIÊU CHƯƠNG TRÌNH BẢO VỆ TRẺ EM');
    expect(report.getCell('B2').value).toBe('Thành phố Hà Nội');
    expect(String(report.getCell('B3').value)).toContain('01/01/2025 – 31/12/2025');
    const header = (report.getRow(8).values as unknown[]).slice(1);
    expect(header).toEqual(['STT', 'Chỉ tiêu', 'Đơn vị tính', 'Giá trị', 'Chỉ tiêu kế hoạch', 'Chênh lệch', 'Đạt']);
    const supported = report.getRows(9, 40)!.find((r) => r.getCell(2).value === 'Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp, chăm sóc')!;
    expect([supported.getCell(4).value, supported.getCell(5).value, supported.getCell(6).value, supported.getCell(7).value]).toEqual([25, 98, -73, 'Chưa đạt']);
    const communes = wb.worksheets[1]!;
    expect(communes.name).toBe('Theo xã');
    const ngocHa = communes.getRows(2, 200)!.find((r) => r.getCell(1).value === '00008')!;
    expect(ngocHa.getCell(2).value).toBe('Phường Ngọc Hà');
    expect(ngocHa.getCell(3).value).toBe(4);
    // A trend workbook has its sheet of periods.
    const trend = await get('/indicators?unit=01&series=quarter&from=2025-Q1&to=2025-Q4&format=xlsx', 'inspector');
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(await trend.arrayBuffer());
    expect(wb2.getWorksheet('Xu hướng')!.getRow(5).getCell(1).value).toBe('2025-Q4');
  });

  it('hides counts below 5 from data officers, with complementary cells, and writes them "< 5" in the workbook', async () => {
    const r = await (await get('/indicators?unit=01&period=2025&by=commune', 'provinceOfficer')).json();
    const rows: Row[] = r.breakdown;
    const ngocHa = rows.find((x) => x.key.commune === '00008')!;
    expect(ngocHa.childrenOnRecord).toBeNull(); // 4
    expect(v(ngocHa.indicators, 'sc_children')).toMatchObject({ value: null, suppressed: true });
    // Every commune count of children shown is 0 or at least 5: nothing of 1–4 shows.
    expect(rows.every((x) => x.childrenOnRecord === null || x.childrenOnRecord === 0 || x.childrenOnRecord >= 5)).toBe(true);
    // The province's 6 children are shown; 4 + 1 + 1 are all hidden (each below 5), so none can be worked out.
    expect(r.childrenOnRecord).toBe(6);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await (await get('/indicators?unit=01&period=2025&format=xlsx', 'provinceOfficer')).arrayBuffer());
    const sc = wb
      .getWorksheet('Báo cáo')!
      .getRows(9, 40)!
      .find((x) => x.getCell(2).value === 'Số trẻ em có hoàn cảnh đặc biệt')!;
    expect(sc.getCell(4).value).toBe('< 5');
    // A month is hidden the same way alone or in a series (its year is suppressed as a whole).
    const alone = await (await get('/indicators?unit=01&period=2025-09&by=sex', 'provinceOfficer')).json();
    const inSeries = (await (await get('/indicators?unit=01&series=month&from=2025-07&to=2025-09&by=sex', 'provinceOfficer')).json()).series.points[2];
    const flags = (x: { indicators: Value[]; breakdown: Row[] }) =>
      [x.indicators, ...x.breakdown.map((b) => b.indicators)].map((vs) => vs.map((y) => y.suppressed));
    expect(flags(inSeries)).toEqual(flags(alone));
    expect(v(alone.indicators, 'cases_opened')).toMatchObject({ suppressed: true, value: null }); // D's case, September
    // The same figures for an inspector (who may open the cases one by one) are not hidden.
    const inspector = await (await get('/indicators?unit=01&period=2025&by=commune', 'inspector')).json();
    expect(inspector.breakdown.find((x: Row) => x.key.commune === '00008').childrenOnRecord).toBe(4);
  });
});

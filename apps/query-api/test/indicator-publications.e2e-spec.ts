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
import { FIXTURE_IDS, LedgerFixture, writeIndicatorFixture } from '@childledger/read-models/testing';
import { createQueryApi } from '../src/query-api.app';

// Published indicator figures (docs/indicators.md, "Published figures"), on the hand-computed
// fixture of indicators.e2e-spec.ts: Hà Nội, 2025, six children on record. A publication freezes the
// figures with the log position they reflect; events appended afterwards (a new child, a risk
// recorded late about 2025) change the live figures, not the publication; a recompute from the log
// at the publication's position and time finds every figure equal; asOf on the indicators query
// gives the figures as the log stood at a recorded time.

describe('indicator publications (e2e)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let t: TestAuth;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  let fx: LedgerFixture;
  const tokens: Record<string, string> = {};

  type Res = Omit<Response, 'json'> & { json(): Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = (path: string, who: string): Promise<Res> => fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  const send = (method: string, path: string, who: string, body?: unknown, type = 'application/json'): Promise<Res> =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': type },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const publish = (who: string, body: Record<string, unknown>) => send('POST', '/indicators/publications', who, body);
  const count = async () => Number((await owner.query('SELECT count(*) AS n FROM indicator_publications')).rows[0].n);
  type Value = { indicator: string; value: number | null };
  const v = (values: Value[], indicator: string) => values.find((x) => x.indicator === indicator)!.value;

  /** Runs the projector until it has caught up with the log. */
  const project = async () => {
    const runner = new ProjectionRunner({ store, pool, projections: PROJECTIONS, units: new UnitResolver(loadAdministrativeUnits()) });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();
  };

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url);
    owner = createPool(db.url, { role: null, max: 2 });
    store = createPostgresEventStore({ pool });
    fx = new LedgerFixture(store, loadAdministrativeUnits());
    await writeIndicatorFixture(fx);
    await fx.backdate(owner);
    await project();
    t = await createTestAuth();
    tokens['inspector'] = await t.tokenFor(t.users.provinceInspector);
    tokens['admin'] = await t.tokenFor(t.users.admin);
    tokens['officer'] = await t.tokenFor({ role: 'data_officer', userId: 'hn-officer', provinces: ['01'], communes: [] });
    tokens['hcmInspector'] = await t.tokenFor({ role: 'inspector', userId: 'hcm-inspector', provinces: ['79'], communes: [] });
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', CHILDLEDGER_KEK: Buffer.alloc(32, 7).toString('base64') });
    app = await createQueryApi(config, db.url, { auth: t.auth });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const targets = ['unit_code,period,indicator,target', '01,2025,sc_supported_share,98', '01,2025,sc_rate,0.7', '00008,2025,sc_children,2'];
    expect((await send('POST', '/indicators/targets', 'admin', targets.join('\n'), 'text/csv')).status).toBe(201);
    expect((await send('POST', '/indicators/populations', 'admin', 'unit_code,period,child_population\n01,2025,1000\n', 'text/csv')).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
    await owner.end();
    await db.drop();
  });

  let published: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let liveBefore: unknown;

  it('publishes the figures exactly as the indicators query answers them, with the log position and reference versions', async () => {
    liveBefore = await (await get('/indicators?unit=01&period=2025&by=commune', 'inspector')).json();
    const res = await publish('inspector', { unit: '01', period: '2025', by: 'commune', title: 'Báo cáo năm 2025', note: 'gửi Bộ' });
    expect(res.status).toBe(201);
    published = await res.json();
    expect(published.figures).toEqual(liveBefore);
    expect(published.figures.childrenOnRecord).toBe(6);
    const position = (await pool.query(`SELECT checkpoint FROM subscription_checkpoints WHERE subscription_name = 'projection:indicators'`)).rows[0].checkpoint;
    expect(published).toMatchObject({
      title: 'Báo cáo năm 2025',
      note: 'gửi Bộ',
      unitCode: '01',
      periodLabel: '2025',
      logPosition: position,
      logPositionNumber: Number(position.split(':')[1]),
      publishedBy: t.users.provinceInspector.userId,
      publishedByRole: 'inspector',
      supersedes: null,
      referenceVersions: { target: 1, population: 1, targetInForce: 1, populationInForce: 1 },
    });
    expect(published.query).toMatchObject({ unit: '01', period: '2025', by: 'commune' });
    expect(Date.parse(published.publishedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('keeps the frozen figures when later events change the live ones (a new child, a risk recorded late about 2025)', async () => {
    // Recorded now (not backdated), effective in 2025.
    const now = new Date();
    await fx.child(
      'fx-h',
      'RegisterChild',
      { childId: 'fx-h', fullName: 'Vũ Thị Hoa', dateOfBirth: '2018-05-05', sex: 'F', residence: { communeCode: '00008', effectiveFrom: '2025-05-01' } },
      { at: now },
    );
    await fx.child(FIXTURE_IDS.A, 'IdentifyRisk', { group: 2, effectiveFrom: '2025-06-01', description: 'bỏ học' }, { at: now });
    // New targets too: the publication used version 1.
    expect((await send('POST', '/indicators/targets', 'admin', 'unit_code,period,indicator,target\n01,2025,sc_supported_share,99\n', 'text/csv')).status).toBe(
      201,
    );
    await project();
    const live = await (await get('/indicators?unit=01&period=2025&by=commune', 'inspector')).json();
    expect(live.childrenOnRecord).toBe(7);
    expect(v(live.indicators, 'at_risk_children')).toBe(2);
    const again = await (await get(`/indicators/publications/${published.id}`, 'inspector')).json();
    expect(again.figures).toEqual(published.figures);
    expect(again.figures.childrenOnRecord).toBe(6);
    expect(v(again.figures.indicators, 'at_risk_children')).toBe(1);
  });

  it('recomputes the publication from the log at its position and time: every figure equal', async () => {
    const res = await send('POST', `/indicators/publications/${published.id}/recompute`, 'inspector');
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r).toMatchObject({ publicationId: published.id, equal: true, differenceCount: 0, differences: [], logPosition: published.logPosition });
    expect(r.replay.eventsRead).toBeGreaterThan(20);
    expect(r.replay.eventsAfterCut).toBe(0); // the events after the position are not read at all
  });

  it('reports the differences when the stored figures do not match the log (tampered by the database owner)', async () => {
    const tampered = await owner.query(
      `INSERT INTO indicator_publications SELECT gen_random_uuid(), 'tampered', note, NULL, unit_code, jurisdiction_province, jurisdiction_commune,
         period_label, query, request, jsonb_set(figures, '{childrenOnRecord}', '5'), log_position, log_position_number, target_version,
         population_version, target_versions_max, population_versions_max, published_by, published_by_role, published_at
         FROM indicator_publications WHERE id = $1 RETURNING id`,
      [published.id],
    );
    const r = await (await send('POST', `/indicators/publications/${tampered.rows[0].id}/recompute`, 'admin')).json();
    expect(r.equal).toBe(false);
    expect(r.differences).toEqual([{ path: 'childrenOnRecord', published: 5, recomputed: 6 }]);
    await owner.query('DELETE FROM indicator_publications WHERE id = $1', [tampered.rows[0].id]);
    // The application role may not change a publication.
    await expect(pool.query(`UPDATE indicator_publications SET title = 'x' WHERE id = $1`, [published.id])).rejects.toThrow(/permission denied/);
    await expect(pool.query(`DELETE FROM indicator_publications WHERE id = $1`, [published.id])).rejects.toThrow(/permission denied/);
  });

  it('answers asOf a recorded time from the log: at the publication = the publication; now = the live query', async () => {
    const atPublication = await (await get(`/indicators?unit=01&period=2025&by=commune&asOf=${encodeURIComponent(published.publishedAt)}`, 'inspector')).json();
    expect(atPublication).toEqual(published.figures);
    const live = await (await get('/indicators?unit=01&period=2025&by=commune', 'inspector')).json();
    const asOfNow = await (await get(`/indicators?unit=01&period=2025&by=commune&asOf=${encodeURIComponent(new Date().toISOString())}`, 'inspector')).json();
    expect(asOfNow).toEqual(live);
    // A trend, for a data officer (suppressed the same way as the live query).
    const trend = `/indicators?unit=01&series=month&from=2025-01&to=2025-12`;
    const officerLive = await (await get(trend, 'officer')).json();
    expect(await (await get(`${trend}&asOf=${encodeURIComponent(new Date().toISOString())}`, 'officer')).json()).toEqual(officerLive);
  });

  it('lists publications of the jurisdiction, newest first, paged; a correction names the one it supersedes', async () => {
    const res = await publish('admin', { unit: '01', period: '2025', by: 'commune', title: 'Báo cáo năm 2025 (đính chính)', supersedes: published.id });
    expect(res.status).toBe(201);
    const correction = await res.json();
    expect(correction.supersedes).toBe(published.id);
    expect(correction.figures.childrenOnRecord).toBe(7);
    expect(correction.referenceVersions).toMatchObject({ target: 2, targetInForce: 2 });
    expect((await (await get(`/indicators/publications/${published.id}`, 'inspector')).json()).supersededBy).toEqual([correction.id]);
    const first = await (await get('/indicators/publications?limit=1', 'inspector')).json();
    expect(first.items.map((x: { id: string }) => x.id)).toEqual([correction.id]);
    expect(first.items[0].figures).toBeUndefined();
    const second = await (await get(`/indicators/publications?limit=1&cursor=${first.next}`, 'inspector')).json();
    expect(second.items.map((x: { id: string }) => x.id)).toEqual([published.id]);
    expect(second.next).toBeNull();
    // Another province's inspector sees none of them, and gets 404 for one.
    expect((await (await get('/indicators/publications', 'hcmInspector')).json()).items).toEqual([]);
    expect((await get(`/indicators/publications/${published.id}`, 'hcmInspector')).status).toBe(404);
  });

  it('exports a publication as the report workbook, stating when it was published and at which log position', async () => {
    const res = await get(`/indicators/publications/${published.id}?format=xlsx`, 'inspector');
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const texts = wb
      .getWorksheet('Báo cáo')!
      .getSheetValues()
      .flatMap((r) => (Array.isArray(r) ? r : []))
      .map(String);
    expect(texts).toContain(`published ${published.publishedAt}, log position ${published.logPositionNumber}`);
    expect(texts.some((x) => x.startsWith('Công bố ngày ') && x.endsWith(`vị trí nhật ký ${published.logPositionNumber}`))).toBe(true);
    expect(wb.getWorksheet('Báo cáo')!.getCell('B2').value).toBe('Thành phố Hà Nội');
  });

  it('recomputes a breakdown by two dimensions equal (rows matched by their key, whatever the order the stored JSON keeps)', async () => {
    const res = await publish('inspector', {
      unit: '01',
      series: 'quarter',
      from: '2025-Q1',
      to: '2025-Q4',
      by: 'commune,sex',
      title: 'Theo quý, xã và giới tính',
    });
    expect(res.status).toBe(201);
    const p = await res.json();
    expect(p.periodLabel).toBe('2025-Q1…2025-Q4');
    const r = await (await send('POST', `/indicators/publications/${p.id}/recompute`, 'inspector')).json();
    expect({ equal: r.equal, differences: r.differences.slice(0, 2) }).toEqual({ equal: true, differences: [] });
  });

  it('refuses bad input naming the field and the rule, and writes nothing', async () => {
    const before = await count();
    const cases: [Promise<Res>, number, string, string | undefined][] = [
      [publish('inspector', { unit: '01', period: '2025' }), 400, 'title', 'TITLE_LENGTH'],
      [publish('inspector', { unit: '01', period: '2025x', title: 'x' }), 400, 'period', undefined],
      [
        publish('inspector', { unit: '01', period: '2025', title: 'x', supersedes: '00000000-0000-4000-8000-000000000000' }),
        400,
        'supersedes',
        'PUBLICATION_NOT_FOUND',
      ],
      [publish('inspector', { unit: '79', period: '2025', title: 'x' }), 403, '', undefined],
      [publish('officer', { unit: '01', period: '2025', title: 'x' }), 403, '', undefined],
      [get('/indicators/publications/00000000-0000-4000-8000-000000000000', 'inspector'), 404, 'id', 'PUBLICATION_NOT_FOUND'],
      [get('/indicators/publications/not-an-id', 'inspector'), 400, 'id', 'UUID'],
      [send('POST', '/indicators/publications/00000000-0000-4000-8000-000000000000/recompute', 'inspector'), 404, 'id', 'PUBLICATION_NOT_FOUND'],
      [get('/indicators/publications?cursor=abc', 'inspector'), 400, 'cursor', undefined],
      [get('/indicators?unit=01&period=2025&asOf=2025-12-31', 'inspector'), 400, 'asOf', 'INSTANT'],
      [get('/indicators?unit=01&period=2025&asOf=2025-13-01T00:00:00Z', 'inspector'), 400, 'asOf', 'INSTANT'],
      [
        get(`/indicators?unit=01&period=2025&asOf=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, 'inspector'),
        400,
        'asOf',
        'NOT_IN_FUTURE',
      ],
      [get(`/indicators?unit=79&period=2025&asOf=${encodeURIComponent(new Date().toISOString())}`, 'inspector'), 403, '', undefined],
      [send('DELETE', `/indicators/publications/${published.id}`, 'admin'), 404, '', undefined],
      [send('PUT', `/indicators/publications/${published.id}`, 'admin', { title: 'x' }), 404, '', undefined],
    ];
    for (const [req, status, field, rule] of cases) {
      const res = await req;
      const body = await res.json();
      expect({ status: res.status, field: field ? body.field : '', rule: rule ? body.rule : undefined }).toEqual({ status, field, rule });
      expect(JSON.stringify(body)).not.toMatch(/Vũ Thị Hoa|Nguyễn Thị An/);
    }
    expect(await count()).toBe(before);
  });
});

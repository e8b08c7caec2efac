import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { describeInBrowser, launchChromium, LaunchedBrowser, newContext } from './chromium';
import { apiAs, screens, signIn } from './journey';
import { startPlatform, RunningPlatform } from './platform';
import { SCREENSHOTS_DIR } from './screens';

const JOURNEY = 'inspector-who-read';
const record = screens(JOURNEY);
/**
 * The screen at rest: the pointer off every button (a hovered or loading button is lighter), no
 * request pending and no "downloaded" message on screen (fading out, its text fails the contrast rule).
 */
async function screen(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.locator('.ant-btn-loading').first().waitFor({ state: 'hidden' });
  await page.locator('.ant-message-notice-wrapper').first().waitFor({ state: 'detached', timeout: 10_000 });
  return record(page, name);
}
const INSPECTOR = /Thanh tra Sở Hà Nội/;
type Api = Awaited<ReturnType<typeof apiAs>>;

async function until<T>(what: string, probe: () => Promise<{ done: boolean; value: T; last: string }>, tries = 300): Promise<T> {
  let last = '';
  for (let i = 0; i < tries; i++) {
    const r = await probe();
    if (r.done) return r.value;
    last = r.last;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`${what} never happened (last answer: ${last})`);
}

describeInBrowser('an inspector answers “who read this child’s record last month, and why” from the console and exports it (Chromium)', () => {
  let platform: RunningPlatform;
  let chromium: LaunchedBrowser;
  let childId: string;

  beforeAll(async () => {
    platform = await startPlatform();
    chromium = await launchChromium();
    const officer = await apiAs(platform, 'communeOfficer');
    const register = async (fullName: string) => {
      const res = await officer.registry<{ id: string }>('POST', '/children', {
        fullName,
        dateOfBirth: '2015-05-20',
        sex: 'F',
        residence: { communeCode: '00004', effectiveFrom: '2025-07-01' },
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    childId = await register('Trần Thị Bích');
    await register('Lê Thị Hạnh');
    // Two people read Bích's record, each with a purpose: the case worker (query API) and the officer (registry API).
    const worker = await apiAs(platform, 'provinceCaseWorker');
    await until('the case worker’s read', async () => {
      const r = await worker.query('GET', `/children/${childId}`, undefined, { 'x-purpose': 'case_work' });
      return { done: r.status === 200, value: undefined, last: String(r.status) };
    });
    expect((await officer.registry('GET', `/children/${childId}`, undefined, { 'x-purpose': 'data_correction' })).status).toBe(200);
    // The log sealer signs a checkpoint within seconds of the last event: wait for it, so that proofs exist.
    const inspector: Api = await apiAs(platform, 'provinceInspector');
    await until('a checkpoint covering every event', async () => {
      const r = await inspector.query<{ status: string; unsealed: number }>('GET', '/inspection/integrity');
      return { done: r.status === 200 && r.body.status === 'passed' && r.body.unsealed === 0, value: undefined, last: JSON.stringify(r.body).slice(0, 200) };
    });
  }, 420_000);
  afterAll(async () => {
    await chromium?.close();
    await platform?.stop();
  });

  it('finds the record in the audit trail, sees who read it and why, exports it, views the record on a date and the integrity of the log', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, INSPECTOR);
    await page.getByRole('link', { name: 'Thanh tra, kiểm tra' }).click();
    await page.getByRole('heading', { level: 1, name: 'Thanh tra, kiểm tra' }).waitFor();
    // The purpose is stated once, before any personal data is shown.
    await page.getByRole('radio', { name: 'Thanh tra, kiểm tra' }).check();
    await screen(page, '01-purpose');
    await page.getByRole('button', { name: 'Xem dữ liệu' }).click();

    // The audit trail: registrations in the commune over the last 30 days.
    await page.getByLabel('Mã tỉnh hoặc xã, phường').fill('00004');
    await page.getByRole('combobox', { name: 'Loại thao tác' }).click();
    await page.getByTitle('Đăng ký hồ sơ', { exact: true }).first().click();
    await page.getByRole('button', { name: '30 ngày qua' }).first().click();
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    const row = page.getByRole('row').filter({ hasText: childId });
    await row.waitFor();
    await page.getByRole('row').filter({ hasText: 'Đăng ký hồ sơ' }).nth(1).waitFor();
    await screen(page, '02-trail');
    await page.getByText('Dòng thời gian', { exact: true }).click();
    await page.locator('.ant-timeline').getByText(childId).waitFor();
    await screen(page, '03-timeline');
    await page.getByText('Bảng', { exact: true }).click();

    // A proof for the registration, straight from its row.
    const [proofFile] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Tải bằng chứng' }).click()]);
    const proof = JSON.parse(fs.readFileSync(await proofFile.path(), 'utf8')) as {
      record: { eventType: string; streamId: string };
      checkpoint: { keyId: string };
    };
    expect(proof.record).toMatchObject({ eventType: 'ChildRegistered', streamId: `child-${childId}` });

    // What the officer who registered it did in the period: every action of theirs, the other filters cleared.
    await row.getByRole('button', { name: 'Người này đã làm gì' }).click();
    expect(await page.getByLabel('Mã người dùng').first().inputValue()).toBe('dev-commune-officer');
    await page.getByRole('row').filter({ hasText: 'dev-commune-officer' }).nth(1).waitFor();
    expect(await page.getByLabel('Mã tỉnh hoặc xã, phường').first().inputValue()).toBe('');
    await screen(page, '04-what-the-officer-did');

    // Who read this record, and why.
    await row.getByRole('button', { name: 'Ai đã xem hồ sơ này' }).click();
    await page.getByRole('tab', { name: 'Nhật ký truy cập', selected: true }).waitFor();
    await page.getByRole('button', { name: '30 ngày qua' }).first().click();
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    const caseWorkerRead = page.getByRole('row').filter({ hasText: 'dev-province-case-worker' });
    await caseWorkerRead.first().waitFor();
    expect(await caseWorkerRead.first().textContent()).toContain('Quản lý trường hợp');
    expect(await page.getByRole('row').filter({ hasText: 'dev-commune-officer' }).first().textContent()).toContain('Chỉnh sửa dữ liệu');
    // The inspector's own look is in it too.
    await page.getByRole('row').filter({ hasText: 'dev-province-inspector' }).first().waitFor();
    await screen(page, '05-who-read');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Xuất CSV' }).click()]);
    expect(csv.suggestedFilename()).toBe('nhat-ky-truy-cap.csv');
    const saved = path.join(SCREENSHOTS_DIR, JOURNEY, 'nhat-ky-truy-cap.csv');
    await csv.saveAs(saved);
    const rows = parse(fs.readFileSync(saved, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r.resource_type === 'child').map((r) => [r.user_id, r.purpose])).toEqual(
      expect.arrayContaining([
        ['dev-province-case-worker', 'case_work'],
        ['dev-commune-officer', 'data_correction'],
      ]),
    );
    expect(rows.every((r) => r.child_id === childId)).toBe(true);

    // The record as it stood today, and the integrity of the log.
    await page.getByRole('tab', { name: 'Hồ sơ tại một ngày' }).click();
    await page.locator('#asof_childId').fill(childId);
    await page.locator('#asof_date').fill(new Date().toLocaleDateString('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }));
    await page.locator('#asof_date').press('Enter');
    await page.getByRole('button', { name: 'Xem hồ sơ' }).click();
    await page.getByText('Trần Thị Bích').waitFor();
    expect(await page.locator('#asof_childId').inputValue()).toBe(childId);
    await page.getByRole('heading', { name: /^Hồ sơ ngày / }).waitFor();
    await screen(page, '06-as-of');
    await page.getByRole('heading', { name: /^Hồ sơ ngày / }).waitFor();

    await page.getByRole('tab', { name: 'Tính toàn vẹn' }).click();
    await page.getByText('Nhật ký toàn vẹn', { exact: false }).waitFor();
    await page.getByText(proof.checkpoint.keyId).waitFor();
    await screen(page, '07-integrity');
    await context.close();

    // The export and the look are themselves in the read audit.
    const inspector = await apiAs(platform, 'provinceInspector');
    const mine = await inspector.query<{ items: { resourceType: string; view: string }[] }>(
      'GET',
      `/audit/reads?actorId=dev-province-inspector&limit=500`,
      undefined,
      { 'x-purpose': 'inspection' },
    );
    expect(mine.body.items.map((r) => `${r.resourceType}:${r.view.split(':')[0]}`)).toEqual(
      expect.arrayContaining(['read_audit:export', 'audit_trail:search', 'event_proof:download', 'child:as_of_effective']),
    );

    const phone = await newContext(chromium.browser, 'phone');
    const small = await phone.newPage();
    await signIn(small, platform.consoleUrl, INSPECTOR);
    await small.goto(`${platform.consoleUrl}/inspection?tab=reads&childId=${childId}`);
    await small.getByRole('radio', { name: 'Thanh tra, kiểm tra' }).check();
    await small.getByRole('button', { name: 'Xem dữ liệu' }).click();
    await small.getByRole('button', { name: 'Tra cứu' }).click();
    await small.getByText('dev-province-case-worker').first().waitFor();
    await screen(small, '08-phone-who-read');
    await phone.close();
  }, 240_000);
});

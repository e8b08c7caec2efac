import * as fs from 'node:fs';
import { join } from 'node:path';
import { describeInBrowser, launchChromium, LaunchedBrowser, newContext } from './chromium';
import { apiAs, screens, signIn } from './journey';
import { startPlatform, RunningPlatform } from './platform';

const JOURNEY = 'admin';
const screen = screens(JOURNEY);
const YEAR = new Date().getFullYear();
const ADMIN = /Quản trị hệ thống/;
const SC_LABEL = 'Số trẻ em có hoàn cảnh đặc biệt';
const HEADER = 'unit_code,period,indicator,target';

/**
 * The administrator's journey: targets from a file (a preview that shows the bad row in Vietnamese,
 * then the fixed file uploaded as a new version that the dashboard uses), and a partner's data-sharing
 * agreement edited and saved, its client secret rotated and shown once.
 */
describeInBrowser('an admin previews and uploads targets, sees the version and the dashboard follow, and edits a partner agreement (Chromium)', () => {
  let platform: RunningPlatform;
  let chromium: LaunchedBrowser;
  let adminToken: string;
  const gateway = (path: string, init: RequestInit = {}) =>
    fetch(`${platform.consoleUrl}/gateway/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    });

  beforeAll(async () => {
    // A partner created through the admin API needs its pseudonymisation key from the environment (docs/partners.md).
    platform = await startPlatform({ PARTNER_MOJ_KEY_SECRET: 'moj-key-secret-for-the-admin-journey-0123456789' });
    chromium = await launchChromium();
    const admin = await apiAs(platform, 'admin');
    adminToken = admin.token;
    // Version 1 of the targets: the province's ceiling of 10 children in special circumstances this year.
    const upload = await fetch(`${platform.queryUrl}/api/v1/indicators/targets?fileName=chi-tieu-dau-nam.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'text/csv' },
      body: `${HEADER}\n01,${YEAR},sc_children,10\n`,
    });
    expect(upload.status).toBe(201);
    // The Ministry of Justice, created through the gateway's admin API (through the console's origin, as the screen reaches it).
    const created = await gateway('/partners/moj', {
      method: 'PUT',
      body: JSON.stringify({
        name: 'Bộ Tư pháp',
        sector: 'justice',
        jurisdictions: ['01'],
        channels: ['http'],
        events: { CaseReferred: ['sector', 'referredAt'] },
      }),
    });
    expect(created.status).toBe(200);
  }, 420_000);
  afterAll(async () => {
    await chromium?.close();
    await platform?.stop();
  });

  it('previews a targets file with a bad row (the error in Vietnamese), uploads the fixed file as version 2, and the dashboard shows the new target', async () => {
    const dir = join(process.cwd(), 'tmp');
    fs.mkdirSync(dir, { recursive: true });
    const bad = join(dir, 'chi-tieu-2026.csv');
    // Excel dropped the leading zero of 01 on the second row.
    fs.writeFileSync(bad, `${HEADER}\n01,${YEAR},sc_children,12\n1,${YEAR},sc_supported_share,98\n`);
    const fixed = join(dir, 'chi-tieu-2026-da-sua.csv');
    fs.writeFileSync(fixed, `${HEADER}\n01,${YEAR},sc_children,12\n01,${YEAR},sc_supported_share,98\n`);

    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, ADMIN);
    await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'Quản trị' }).click();
    await page.getByRole('heading', { level: 1, name: 'Quản trị' }).waitFor();
    await page.getByRole('tab', { name: 'Chỉ tiêu', selected: true }).waitFor();
    // Version 1, uploaded through the API, is in the history.
    await page.getByRole('row', { name: /chi-tieu-dau-nam\.csv/ }).waitFor();
    await screen(page, '01-targets');

    await page.locator('input[type=file]').first().setInputFiles(bad);
    await page.getByRole('heading', { level: 2, name: 'Xem trước: chi-tieu-2026.csv' }).waitFor();
    await page.getByText('Tệp có 1 dòng lỗi.', { exact: false }).waitFor();
    // Shown filtered to the problem: row 3, its unit code, the rule in Vietnamese.
    const wrong = page.getByRole('row', { name: /^3 1 / });
    await wrong.getByText('Có lỗi', { exact: false }).waitFor();
    await wrong.getByText(/Mã đơn vị: Mã đơn vị phải có 2 chữ số \(tỉnh, thành phố\) hoặc 5 chữ số/).waitFor();
    expect(await page.getByRole('button', { name: 'Tải lên phiên bản mới' }).isDisabled()).toBe(true);
    await screen(page, '02-preview-bad-row');

    await page.locator('input[type=file]').first().setInputFiles(fixed);
    await page.getByRole('heading', { level: 2, name: 'Xem trước: chi-tieu-2026-da-sua.csv' }).waitFor();
    await page.getByText('Tệp hợp lệ. Bấm Tải lên để lưu thành phiên bản mới.').waitFor();
    // 10 → 12 for the count; the share is new.
    const changed = page.getByRole('row', { name: new RegExp(`^2 01 ${YEAR} ${SC_LABEL} 10 12 Thay đổi`) });
    await changed.waitFor();
    await page.getByRole('row', { name: /^3 01 .* Thêm mới/ }).waitFor();
    await screen(page, '03-preview-valid');

    await page.getByRole('button', { name: 'Tải lên phiên bản mới' }).click();
    await page.getByText('Đã lưu phiên bản 2 (2 dòng).').waitFor();
    const version = page.getByRole('row', { name: /^2 Mới nhất .* Quản trị hệ thống chi-tieu-2026-da-sua\.csv 2 / });
    await version.waitFor();
    await screen(page, '04-version-history');

    await version.getByRole('button', { name: 'Xem các dòng' }).click();
    const dialog = page.getByRole('dialog', { name: 'Phiên bản 2: các dòng' });
    await dialog.getByRole('row', { name: new RegExp(`^01 ${YEAR} ${SC_LABEL} 12$`) }).waitFor();
    await screen(page, '05-version-rows');
    await dialog.getByRole('button', { name: 'Đóng' }).last().click();

    await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'Theo dõi chỉ tiêu' }).click();
    const row = page.getByRole('row', { name: new RegExp(`^${SC_LABEL} `) });
    await row.getByRole('cell', { name: '12', exact: true }).waitFor();
    await context.close();
  }, 240_000);

  it('edits the fields a partner receives per event type and sees them saved; rotates its client secret, shown once, which then works', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    page.on('pageerror', (err) => process.stderr.write(`[admin journey] page error: ${err.message}\n`));
    await signIn(page, platform.consoleUrl, ADMIN);
    await page.goto(`${platform.consoleUrl}/admin?tab=partners`);
    await page.getByRole('tab', { name: 'Thỏa thuận chia sẻ dữ liệu', selected: true }).waitFor();
    await page.getByRole('row', { name: /Bộ Tư pháp moj Tư pháp 01 Màn hình quản trị/ }).waitFor();
    // A partner declared in the partners file is shown read-only.
    await page.getByRole('button', { name: 'Xem, sửa thỏa thuận của Ministry of Health' }).click();
    await page.getByText('Thỏa thuận này được khai báo trong tệp cấu hình', { exact: false }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Nhận loại sự kiện ChildRegistered' }).isDisabled()).toBe(true);
    await screen(page, '06-partner-from-file');

    await page.getByRole('button', { name: 'Xem, sửa thỏa thuận của Bộ Tư pháp' }).click();
    await page.getByRole('heading', { level: 2, name: 'Thỏa thuận chia sẻ dữ liệu: Bộ Tư pháp' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Nhận loại sự kiện CaseReferred' }).isChecked()).toBe(true);
    await page.getByRole('checkbox', { name: 'Nhận loại sự kiện ChildRegistered' }).check();
    await page.getByRole('checkbox', { name: 'sex', exact: true }).check();
    await page.getByRole('checkbox', { name: 'residence.communeCode', exact: true }).check();
    await screen(page, '07-partner-editing');
    await page.getByRole('button', { name: 'Lưu thỏa thuận' }).click();
    await page.getByText('Đã lưu thỏa thuận của Bộ Tư pháp.').waitFor();
    const saved = (await (await gateway('/partners/moj')).json()) as { events: Record<string, string[]>; updatedAt: string | null };
    expect(saved.events).toEqual({ CaseReferred: ['sector', 'referredAt'], ChildRegistered: ['sex', 'residence.communeCode'] });
    expect(saved.updatedAt).not.toBeNull();

    await page.getByRole('button', { name: 'Cấp mã bí mật mới' }).click();
    await page.getByRole('button', { name: 'Cấp mã mới' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mã bí mật mới của Bộ Tư pháp' });
    await dialog.getByText('Mã này chỉ hiển thị một lần.', { exact: false }).waitFor();
    const secret = (await dialog.locator('code').innerText()).trim();
    expect(secret.length).toBeGreaterThan(20);
    await screen(page, '08-new-secret');
    await dialog.getByRole('button', { name: 'Tôi đã chép mã' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByText(secret).count()).toBe(0);
    const token = await gateway('/partners/oauth/token', {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'moj', client_secret: secret }),
    });
    expect(token.status).toBe(200);
    await context.close();

    const phone = await newContext(chromium.browser, 'phone');
    const small = await phone.newPage();
    await signIn(small, platform.consoleUrl, ADMIN);
    await small.goto(`${platform.consoleUrl}/admin`);
    await small.getByRole('heading', { level: 2, name: 'Lịch sử phiên bản' }).waitFor();
    await small.getByRole('row', { name: /chi-tieu-2026-da-sua\.csv/ }).waitFor();
    await screen(small, '09-phone-targets');
    await small.goto(`${platform.consoleUrl}/admin?tab=partners`);
    await small.getByRole('button', { name: 'Xem, sửa thỏa thuận của Bộ Tư pháp' }).click();
    await small.getByRole('button', { name: 'Lưu thỏa thuận' }).waitFor();
    await screen(small, '10-phone-partner');
    await phone.close();
  }, 240_000);
});

import type { Locator, Page } from 'playwright-core';
import { describeInBrowser, launchChromium, LaunchedBrowser, newContext, VIEWPORTS } from './chromium';
import { apiAs, screens, signIn, USERS } from './journey';
import { startPlatform, RunningPlatform } from './platform';

const JOURNEY = 'register-and-correct';
const screen = screens(JOURNEY);
// The purpose gate's button (apps/console/src/i18n/vi.ts, purposeGate.show).
const SHOW_RECORD = 'Xem dữ liệu';

type AuditItem = { eventType: string; childId: string; actor: { userId: string; role: string; unit: string | null }; reason: string | null };

/** Types a date into an antd date picker (dd/mm/yyyy) and confirms it. */
async function typeDate(field: Locator, ddmmyyyy: string): Promise<void> {
  await field.click();
  await field.fill(ddmmyyyy);
  await field.press('Enter');
}

/** Types into an antd searchable select and takes the option that appears. */
async function choose(page: Page, select: Locator, typed: string, option: RegExp): Promise<void> {
  await select.click();
  await select.fill(typed);
  // antd keeps an accessible (hidden) copy of the list; the visible option carries the label as its title.
  await page.getByTitle(option).first().waitFor();
  await select.press('Enter');
  // Wait for the list to close: a screenshot (and axe) taken during its closing animation sees antd's
  // open listbox, which carries no accessible name of its own (an antd limitation while it is open).
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').first().waitFor({ state: 'hidden' });
}

describeInBrowser('a commune officer registers a child with an old commune code, corrects, moves and records a circumstance (Chromium)', () => {
  let platform: RunningPlatform;
  let chromium: LaunchedBrowser;

  beforeAll(async () => {
    platform = await startPlatform();
    chromium = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await chromium?.close();
    await platform?.stop();
  });

  it('register (old code shown mapped, a bad personal ID refused beside its field), then on the child’s page: correct with a reason, move, identify and end a special circumstance; the audit trail has each, by the officer, with the reasons', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, USERS.communeOfficer);
    await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'Đăng ký' }).click();
    await page.getByRole('heading', { level: 1, name: 'Đăng ký trẻ em' }).waitFor();
    await screen(page, '01-register-empty');

    // Nothing filled in: every required field says so beside it, nothing is sent.
    await page.getByRole('button', { name: 'Đăng ký', exact: true }).click();
    expect(await page.getByText('Chưa nhập thông tin này.').count()).toBeGreaterThanOrEqual(4);

    await page.getByLabel('Họ và tên', { exact: true }).fill('Lê Thị Minh Anh');
    await typeDate(page.getByRole('textbox', { name: 'Ngày sinh' }), '14/03/2016');
    await page.getByRole('radio', { name: 'Nữ' }).check();
    // A residence since 2024: the units before the reorganisation; the officer types the old ward's code.
    await typeDate(page.getByRole('textbox', { name: 'Cư trú tại xã, phường từ ngày' }), '01/09/2024');
    await choose(page, page.getByRole('combobox', { name: 'Xã, phường, đặc khu' }), '00013', /Phường Quán Thánh/);
    const mapped = page.getByRole('status').filter({ hasText: 'Mã cũ 00013' });
    await mapped.getByText('Phường Ba Đình').waitFor();
    expect(await mapped.innerText()).toContain('Phường Quán Thánh, Quận Ba Đình');
    await screen(page, '02-old-code-mapped');

    // A parent's number typed in the child's field: refused beside it, before anything is written.
    await page.getByLabel('Số định danh cá nhân (nếu có)').fill('001185012345');
    await page.getByRole('button', { name: 'Đăng ký', exact: true }).click();
    await page.getByText('Chữ số thứ 4 không khớp với giới tính và thế kỷ sinh.').waitFor();
    await screen(page, '03-bad-personal-id');

    await page.getByLabel('Số định danh cá nhân (nếu có)').fill('001316012345');
    // A double click registers once: one key for the submission.
    await page.getByRole('button', { name: 'Đăng ký', exact: true }).dblclick();
    await page.waitForURL(/\/children\/[0-9a-f-]{36}$/);
    const childId = new URL(page.url()).pathname.split('/').pop()!;
    // The identity adapter decides on a new record within moments, on the record's own stream (a
    // new revision). Wait for that decision and read the page again, so that the correction's
    // If-Match is the record as it then stands (a correction sent against the older revision is a
    // 409, which the dialog explains; that path has component tests).
    const inspector = await apiAs(platform, 'provinceInspector');
    for (let attempt = 0; attempt < 100; attempt++) {
      const res = await inspector.query<{ items: AuditItem[] }>('GET', `/audit/events?childId=${childId}&limit=50`);
      if (res.status === 200 && res.body.items.some((i) => i.actor.userId === 'identity-adapter')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.reload();

    // The child's page (another feature) asks the purpose of access once, then renders the actions.
    await page.getByRole('radio', { name: 'Chỉnh sửa dữ liệu' }).check({ timeout: 30_000 });
    await page.getByRole('button', { name: SHOW_RECORD }).click();
    const actions = page.getByRole('region', { name: 'Cập nhật hồ sơ' });
    await actions.getByRole('button', { name: 'Đính chính thông tin' }).waitFor({ timeout: 30_000 });
    await screen(page, '04-child-page');

    // Correct a detail with a reason.
    await actions.getByRole('button', { name: 'Đính chính thông tin' }).click();
    const dialog = page.getByRole('dialog', { name: 'Đính chính thông tin của trẻ em' });
    await dialog.getByLabel('Họ và tên mẹ đúng').fill('Trần Thị Hoa');
    await dialog.getByLabel('Lý do đính chính').fill('Sổ hộ khẩu ghi tên mẹ khác');
    await screen(page, '05-correct');
    await dialog.getByRole('button', { name: /Lưu/ }).click();
    await page.getByText('Đã đính chính thông tin.').waitFor();
    await dialog.waitFor({ state: 'hidden' });

    // The record's page at phone width, after the correction.
    await page.setViewportSize(VIEWPORTS.phone);
    await page.getByText('Sổ hộ khẩu ghi tên mẹ khác').first().waitFor();
    await screen(page, '06-child-page-phone');
    await page.setViewportSize(VIEWPORTS.desktop);
    // Identify a special circumstance (group 4: children with disabilities... by the law's list), then end it with a reason.
    await actions.getByRole('button', { name: 'Xác định hoàn cảnh đặc biệt' }).click();
    const identify = page.getByRole('dialog', { name: 'Xác định trẻ em có hoàn cảnh đặc biệt' });
    await typeDate(identify.getByRole('textbox', { name: 'Từ ngày' }), '02/10/2025');
    await choose(page, identify.getByRole('combobox', { name: 'Nhóm hoàn cảnh đặc biệt (Điều 10 Luật Trẻ em 2016)' }), 'khuyết tật', /khuyết tật/);
    await identify.getByRole('button', { name: /Lưu/ }).click();
    await page.getByText('Đã ghi nhận hoàn cảnh đặc biệt.').waitFor();
    await identify.waitFor({ state: 'hidden' });

    await actions.getByRole('button', { name: 'Kết thúc hoàn cảnh đặc biệt' }).click();
    const end = page.getByRole('dialog', { name: 'Trẻ em không còn thuộc nhóm hoàn cảnh đặc biệt' });
    await typeDate(end.getByRole('textbox', { name: 'Đến ngày' }), '20/10/2025');
    await choose(page, end.getByRole('combobox', { name: 'Nhóm hoàn cảnh đặc biệt' }), 'khuyết tật', /khuyết tật/);
    await end.getByLabel('Lý do').fill('Đã được phục hồi chức năng');
    await end.getByRole('button', { name: /Lưu/ }).click();
    await page.getByText('Đã ghi nhận kết thúc hoàn cảnh đặc biệt.').waitFor();
    await end.waitFor({ state: 'hidden' });

    // Record a move to another ward of Hà Nội (last: afterwards the record is outside the commune officer's jurisdiction).
    await actions.getByRole('button', { name: 'Ghi nhận chuyển nơi cư trú' }).click();
    const move = page.getByRole('dialog', { name: 'Ghi nhận chuyển nơi cư trú' });
    await typeDate(move.getByRole('textbox', { name: 'Cư trú tại nơi mới từ ngày' }), '01/11/2025');
    await choose(page, move.getByRole('combobox', { name: 'Xã, phường, đặc khu' }), '00008', /Phường Ngọc Hà/);
    await move.getByRole('button', { name: /Lưu/ }).click();
    await page.getByText('Đã ghi nhận nơi cư trú mới.').waitFor();
    // The record is now outside the commune officer's area: the page says where the child went, not "not found".
    await page.getByText('Trẻ đã chuyển đến Phường Ngọc Hà (00008), ngoài địa bàn của bạn.').waitFor();
    expect(await page.getByText('Không tìm thấy hồ sơ này trong địa bàn của bạn.').count()).toBe(0);
    await screen(page, '07-after-move');
    await context.close();

    // The audit trail, through the query API (projected asynchronously): each event, by the officer, with the reasons.
    const expected = ['ChildRegistered', 'ChildDetailsCorrected', 'SpecialCircumstanceIdentified', 'SpecialCircumstanceEnded', 'ResidenceChanged'];
    let items: AuditItem[] = [];
    for (let attempt = 0; attempt < 60; attempt++) {
      const res = await inspector.query<{ items: AuditItem[] }>('GET', `/audit/events?childId=${childId}&limit=50`);
      expect(res.status).toBe(200);
      items = res.body.items;
      if (expected.every((t) => items.some((i) => i.eventType === t))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const officers = items.filter((i) => expected.includes(i.eventType));
    expect(officers.map((i) => i.eventType).sort()).toEqual([...expected].sort());
    for (const item of officers) expect(item.actor).toMatchObject({ userId: 'dev-commune-officer', role: 'data_officer', unit: '00004' });
    expect(items.find((i) => i.eventType === 'ChildDetailsCorrected')?.reason).toBe('Sổ hộ khẩu ghi tên mẹ khác');
  }, 300_000);
});

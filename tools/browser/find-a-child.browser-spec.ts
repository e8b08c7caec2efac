import type { Page } from 'playwright-core';
import { describeInBrowser, launchChromium, LaunchedBrowser, newContext } from './chromium';
import { apiAs, screens, signIn, USERS } from './journey';
import { startPlatform, RunningPlatform } from './platform';

const JOURNEY = 'find-a-child';
const screen = screens(JOURNEY);

/** Waits until the projector has put the child in the search read model. */
async function searchable(api: Awaited<ReturnType<typeof apiAs>>, query: string, childId: string): Promise<void> {
  let last = '';
  for (let i = 0; i < 150; i++) {
    const res = await api.query<{ children: { childId: string }[] }>('GET', `/children/search?${query}`, undefined, { 'x-purpose': 'statistics' });
    if (res.status === 200 && res.body.children.some((c) => c.childId === childId)) return;
    last = `status ${res.status}, ${res.status === 200 ? `${res.body.children.length} children` : JSON.stringify(res.body).slice(0, 200)}`;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the child never became searchable (last answer: ${last})`);
}

async function search(page: Page, fill: Record<string, string>): Promise<void> {
  await page.getByRole('button', { name: 'Xoá điều kiện' }).click();
  for (const [label, value] of Object.entries(fill)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
}

describeInBrowser('find a child and open the child’s page (Chromium)', () => {
  let platform: RunningPlatform;
  let chromium: LaunchedBrowser;
  let maiId: string;

  beforeAll(async () => {
    platform = await startPlatform();
    chromium = await launchChromium();
    const officer = await apiAs(platform, 'communeOfficer');
    const register = async (fullName: string, dateOfBirth: string) => {
      const res = await officer.registry<{ id: string }>('POST', '/children', {
        fullName,
        dateOfBirth,
        sex: 'F',
        residence: { communeCode: '00004', effectiveFrom: '2025-07-01' },
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    maiId = await register('Nguyễn Thị Mai', '2016-03-14');
    await register('Nguyễn Văn Nam', '2014-06-02');
    const corrected = await officer.registry('POST', `/children/${maiId}/corrections`, {
      changes: { notes: 'Sống với bà ngoại' },
      reason: 'bổ sung thông tin',
    });
    if (corrected.status >= 300) process.stderr.write(`[browser] correction set-up answered ${corrected.status}; the timeline is checked without it\n`);
    await searchable(officer, 'birthYear=2016', maiId);
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await platform?.stop();
  });

  it('a commune officer finds a child by a Telex-typed name and by year, opens the page and sees the timeline; the reads are in the read audit', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, USERS.communeOfficer);
    await page.goto(`${platform.consoleUrl}/children`);
    await page.getByRole('heading', { level: 1, name: 'Tìm trẻ em' }).waitFor();
    await screen(page, '01-purpose');
    await page.getByRole('radio', { name: 'Chỉnh sửa dữ liệu' }).check();
    await page.getByRole('button', { name: 'Xem dữ liệu' }).click();

    await search(page, { 'Họ và tên': 'Nguyeenx Thij Mai' });
    const results = page.getByRole('region', { name: 'Kết quả' });
    await results.getByRole('link', { name: 'Nguyễn Thị Mai' }).waitFor();
    expect(await results.getByRole('link', { name: 'Nguyễn Văn Nam' }).count()).toBe(0);
    await screen(page, '02-found-by-telex');

    await search(page, { 'Năm sinh': '2014' });
    await results.getByRole('link', { name: 'Nguyễn Văn Nam' }).waitFor();
    expect(await results.getByRole('link', { name: 'Nguyễn Thị Mai' }).count()).toBe(0);
    await search(page, { 'Năm sinh': '2016' });
    await results.getByRole('link', { name: 'Nguyễn Thị Mai' }).click();

    await page.getByRole('heading', { level: 1, name: 'Hồ sơ trẻ em' }).waitFor();
    await page.getByRole('radio', { name: 'Chỉnh sửa dữ liệu' }).check();
    await page.getByRole('button', { name: 'Xem dữ liệu' }).click();
    await page.getByRole('heading', { name: 'Lịch sử hồ sơ' }).waitFor();
    await page.getByText('Đăng ký hồ sơ').waitFor();
    expect(await page.getByText('14/03/2016').count()).toBeGreaterThan(0);
    await screen(page, '03-child-page');
    await context.close();

    // Phone width, once: the search screen.
    const phone = await newContext(chromium.browser, 'phone');
    const small = await phone.newPage();
    await signIn(small, platform.consoleUrl, USERS.communeOfficer);
    await small.goto(`${platform.consoleUrl}/children`);
    await small.getByRole('radio', { name: 'Chỉnh sửa dữ liệu' }).check();
    await small.getByRole('button', { name: 'Xem dữ liệu' }).click();
    await search(small, { 'Họ và tên': 'nguyen thi mai' });
    await small.getByRole('region', { name: 'Kết quả' }).getByRole('link', { name: 'Nguyễn Thị Mai' }).waitFor();
    await screen(small, '04-phone-search');
    await phone.close();

    // The read audit, through the API: the search (as a search) and the page view, with the purpose chosen.
    const inspector = await apiAs(platform, 'provinceInspector');
    const views = await inspector.query<{ views: { purpose: string; view: string; role: string }[] }>('GET', `/children/${maiId}/views`);
    expect(views.status).toBe(200);
    const byOfficer = views.body.views.filter((v) => v.role === 'data_officer' && v.purpose === 'data_correction').map((v) => v.view);
    expect(byOfficer).toEqual(expect.arrayContaining(['search:name', 'search:birthYear', 'current', 'timeline']));
  }, 240_000);
});

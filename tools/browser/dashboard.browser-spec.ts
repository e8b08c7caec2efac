import ExcelJS from 'exceljs';
import { describeInBrowser, launchChromium, LaunchedBrowser, newContext } from './chromium';
import { apiAs, screens, signIn } from './journey';
import { startPlatform, RunningPlatform } from './platform';

const JOURNEY = 'dashboard';
const screen = screens(JOURNEY);
const YEAR = new Date().getFullYear();
const INSPECTOR = /Thanh tra Sở Hà Nội/;
const SC_LABEL = 'Số trẻ em có hoàn cảnh đặc biệt';

// Seven children of Ba Đình (00004, Hà Nội) in special circumstances this year: 4 girls, 3 boys.
const CHILDREN = [
  ['Nguyễn Thị Hoa', 'F'],
  ['Trần Thị Mai', 'F'],
  ['Lê Thị Lan', 'F'],
  ['Phạm Thị Cúc', 'F'],
  ['Hoàng Văn Nam', 'M'],
  ['Vũ Văn Long', 'M'],
  ['Đỗ Văn Hùng', 'M'],
] as const;

interface IndicatorAnswer {
  indicators: { indicator: string; value: number | null; target: number | null; gap: number | null }[];
}

/**
 * The programme manager's question, from the console alone: "how many children in special
 * circumstances in province 01 this year, by commune and sex, against target", and the report as a
 * workbook. Signed in as the province inspector.
 */
describeInBrowser('an inspector reads the programme indicators against target, by commune and sex, exports, publishes and recomputes them (Chromium)', () => {
  let platform: RunningPlatform;
  let chromium: LaunchedBrowser;
  let inspector: Awaited<ReturnType<typeof apiAs>>;

  beforeAll(async () => {
    platform = await startPlatform();
    chromium = await launchChromium();
    const officer = await apiAs(platform, 'communeOfficer');
    for (const [fullName, sex] of CHILDREN) {
      const child = await officer.registry<{ id: string }>('POST', '/children', {
        fullName,
        dateOfBirth: '2015-05-20',
        sex,
        residence: { communeCode: '00004', effectiveFrom: '2025-07-01' },
      });
      expect(child.status).toBe(201);
      const identified = await officer.registry('POST', `/children/${child.body.id}/special-circumstances`, { group: 1, effectiveFrom: `${YEAR}-02-01` });
      expect(identified.status).toBe(200);
    }
    // The province's target for the year, as the inspector uploads it (text/csv).
    inspector = await apiAs(platform, 'provinceInspector');
    const upload = await fetch(`${platform.queryUrl}/api/v1/indicators/targets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${inspector.token}`, 'content-type': 'text/csv' },
      body: `unit_code,period,indicator,target\n01,${YEAR},sc_children,10\n`,
    });
    expect(upload.status).toBe(201);
    // The projector has counted every child.
    let last: number | null = null;
    for (let i = 0; i < 300 && last !== CHILDREN.length; i++) {
      const res = await inspector.query<IndicatorAnswer>('GET', `/indicators?unit=01&period=${YEAR}`);
      last = res.body.indicators?.find((v) => v.indicator === 'sc_children')?.value ?? null;
      if (last !== CHILDREN.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(last).toBe(CHILDREN.length);
  }, 420_000);
  afterAll(async () => {
    await chromium?.close();
    await platform?.stop();
  });

  it('shows the count against its target, breaks it down by commune and sex, exports the report as a workbook, publishes the figures and recomputes them: khớp', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, INSPECTOR);
    await page.getByRole('link', { name: 'Theo dõi chỉ tiêu' }).click();
    await page.getByRole('heading', { level: 1, name: 'Theo dõi chỉ tiêu' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(`^${SC_LABEL} `) });
    // 7 children against a ceiling of 10: met, gap −3.
    await row.getByRole('cell', { name: '7', exact: true }).waitFor();
    await row.getByRole('cell', { name: '10', exact: true }).waitFor();
    await row.getByRole('cell', { name: '-3', exact: true }).waitFor();
    await row.getByText('Đạt', { exact: true }).waitFor();
    await page.getByRole('img', { name: /Biểu đồ cột/ }).waitFor();
    // The trend follows the first indicator with a target (antd shows the chosen option's title).
    await page.getByTitle(SC_LABEL, { exact: true }).waitFor();
    await page.getByRole('img', { name: /Biểu đồ đường/ }).waitFor();
    await screen(page, '01-province-year');

    await page.getByRole('combobox', { name: 'Phân tổ' }).click();
    await page.getByTitle('Theo xã và giới tính', { exact: true }).click();
    await page.getByRole('heading', { level: 2, name: `Phân tổ: ${SC_LABEL}` }).waitFor();
    const girls = page.getByRole('row', { name: /^Xã, phường 00004 · Nữ / });
    const boys = page.getByRole('row', { name: /^Xã, phường 00004 · Nam / });
    await girls.getByRole('cell', { name: '4', exact: true }).waitFor();
    await boys.getByRole('cell', { name: '3', exact: true }).waitFor();
    await screen(page, '02-by-commune-and-sex');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Xuất Excel' }).click()]);
    expect(download.suggestedFilename()).toBe(`chi-tieu-01-${YEAR}.xlsx`);
    // The message fades after 3 s: checked before the workbook is read (slow on a loaded machine).
    await page.getByText(`Đã tải về chi-tieu-01-${YEAR}.xlsx.`).waitFor();
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await download.path());
    const cells = book.worksheets.flatMap((sheet) => {
      const rows: string[][] = [];
      sheet.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
      return rows;
    });
    const report = cells.find((r) => r[0] === SC_LABEL || r.includes(SC_LABEL));
    expect(report).toBeDefined();
    expect(report).toEqual(expect.arrayContaining(['7', '10']));

    // Publish these figures (frozen with their log position), then recompute them from the log.
    const title = `Báo cáo năm ${YEAR} theo xã và giới tính`;
    await page.getByRole('button', { name: 'Công bố số liệu' }).click();
    const dialog = page.getByRole('dialog', { name: /^Công bố số liệu 01/ });
    await dialog.getByLabel('Tên bản công bố').fill(title);
    await dialog.getByLabel('Ghi chú (không bắt buộc)').fill('Gửi Sở Y tế');
    await dialog.getByRole('button', { name: 'Công bố' }).click();
    await page.getByText(new RegExp(`^Đã công bố “${title}” \\(vị trí nhật ký [\\d.]+\\)\\.$`)).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const published = page.getByRole('row', { name: new RegExp(title) });
    await published.waitFor();
    // The date, the log position and who published it, as the API stored them.
    const list = await inspector.query<{ items: { id: string; title: string; logPositionNumber: number; publishedBy: string }[] }>(
      'GET',
      '/indicators/publications?unit=01',
    );
    const stored = list.body.items.find((x) => x.title === title)!;
    expect(stored.logPositionNumber).toBeGreaterThan(0);
    // The API's own answer first (a replay of the log: it says which figures differ, if any).
    const api = await inspector.query<{ equal: boolean; differences: unknown[] }>('POST', `/indicators/publications/${stored.id}/recompute`);
    expect({ status: api.status, equal: api.body.equal, differences: api.body.differences }).toEqual({ status: 200, equal: true, differences: [] });
    await published.getByRole('cell', { name: stored.logPositionNumber.toLocaleString('vi-VN'), exact: true }).waitFor();
    await published.getByRole('cell', { name: stored.publishedBy, exact: true }).waitFor();
    await published.getByRole('button', { name: `Kiểm tra lại “${title}”` }).click();
    // A replay of the log, not a query: slow on a loaded machine.
    await published.getByText('khớp', { exact: true }).waitFor({ timeout: 120_000 });
    await published.getByText(/^Tính lại từ nhật ký \([\d.]+ sự kiện\): mọi số liệu khớp với bản đã công bố\.$/).waitFor();
    await screen(page, '03-published-and-recomputed');
    await context.close();

    const phone = await newContext(chromium.browser, 'phone');
    const small = await phone.newPage();
    await signIn(small, platform.consoleUrl, INSPECTOR);
    await small.goto(`${platform.consoleUrl}/dashboard`);
    await small.getByRole('row', { name: new RegExp(`^${SC_LABEL} `) }).waitFor();
    await screen(small, '04-phone');
    await phone.close();
  }, 240_000);
});

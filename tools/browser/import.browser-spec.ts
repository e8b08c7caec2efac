import { join } from 'node:path';
import * as ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describeInBrowser, launchChromium, LaunchedBrowser, newContext } from './chromium';
import { screens, signIn, USERS } from './journey';
import { startPlatform, RunningPlatform } from './platform';

const JOURNEY = 'import';
const screen = screens(JOURNEY);
const HEADER = ['record_ref', 'full_name', 'date_of_birth', 'sex', 'personal_id', 'commune', 'province'];

/** An XLSX file of child records, written with exceljs as a commune's spreadsheet would be. */
async function xlsx(path: string, rows: string[][]): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Danh sách');
  sheet.addRow(HEADER);
  for (const r of rows) sheet.addRow(r);
  await workbook.xlsx.writeFile(path);
  return path;
}

async function uploadAndWait(page: Page, path: string): Promise<void> {
  await page.locator('input[type=file]').setInputFiles(path);
  await page.getByText('Kết quả nhập').waitFor();
}

describeInBrowser('the console: import a spreadsheet, its report, the rejected rows, a corrected re-import (Chromium)', () => {
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

  it('a commune officer imports good, incomplete and bad rows, filters the report, downloads the rejected rows and re-imports them corrected without a second child', async () => {
    const dir = join(process.cwd(), 'tmp');
    const first = await xlsx(join(dir, 'import-journey-1.xlsx'), [
      ['B1', 'Trần Văn Bảo', '2016-02-03', 'Nam', '', '00004', '01'],
      ['B2', 'Lê Thị Cúc', '2017-04-05', '', '', '00004', '01'],
      ['B3', 'Phạm Văn Dũng', '2015-06-07', 'Nam', '001085012345', '00004', '01'],
      ['B4', 'Hồ Văn Giàu', '2000-01-01', 'Nam', '', '00004', '01'],
      ['B5', '', '2016-08-09', 'Nữ', '', '00004', '01'],
    ]);
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, USERS.communeOfficer);
    await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'Nhập dữ liệu' }).click();
    await page.getByRole('heading', { level: 1, name: 'Nhập dữ liệu' }).waitFor();
    await screen(page, '01-import-empty');

    await uploadAndWait(page, first);
    const counts = page.locator('.ant-descriptions');
    expect(await counts.innerText()).toMatch(/Đã nhập\s+3/);
    expect(await counts.innerText()).toMatch(/Bị từ chối\s+2/);
    expect(await counts.innerText()).toMatch(/Hồ sơ chưa đầy đủ \(cần bổ sung\)\s+2/);
    await screen(page, '02-import-report');

    // Filter: the rejected rows only, then the incomplete records only.
    await page.getByLabel('Lọc theo vấn đề').click();
    await page.getByTitle('Dòng bị từ chối').click();
    const rowsOf = async () => (await page.locator('.ant-table-tbody tr.ant-table-row').allInnerTexts()).map((t) => t.split('\t')[0]?.trim());
    expect(await rowsOf()).toEqual(['5', '6']);
    await page.getByLabel('Lọc theo vấn đề').click();
    await page.getByTitle('Hồ sơ chưa đầy đủ').click();
    expect(await rowsOf()).toEqual(['3', '4']);
    await screen(page, '03-import-report-incomplete');

    // The rejected rows as XLSX, with the Vietnamese reason.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải các dòng bị từ chối (XLSX)' }).click()]);
    const saved = join(dir, 'import-journey-rejected.xlsx');
    await download.saveAs(saved);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(saved);
    const got: unknown[][] = [];
    book.worksheets[0]!.eachRow((r) => got.push((r.values as unknown[]).slice(1)));
    expect(got[0]).toEqual([...HEADER, 'Lý do']);
    expect(got.slice(1).map((r) => r[0])).toEqual(['B4', 'B5']);
    expect(String(got[1]![7])).toContain('Đã đủ 16 tuổi');
    expect(String(got[2]![7])).toContain('Thiếu họ và tên');

    // The officer fixes what can be fixed (a name; the sex of B2) and imports those rows again.
    const corrected = await xlsx(join(dir, 'import-journey-2.xlsx'), [
      ['B2', 'Lê Thị Cúc', '2017-04-05', 'Nữ', '', '00004', '01'],
      ['B5', 'Đỗ Thị Em', '2016-08-09', 'Nữ', '', '00004', '01'],
    ]);
    await uploadAndWait(page, corrected);
    expect(await counts.innerText()).toMatch(/Đã nhập\s+1/);
    expect(await counts.innerText()).toMatch(/Đã có từ trước\s+1/);
    await screen(page, '04-import-corrected');

    // The incomplete records are work to finish: listed with what each lacks, each a link to its record.
    await page.goto(`${platform.consoleUrl}/reconciliation`);
    await page.getByRole('link', { name: 'Xem hồ sơ chưa đầy đủ' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hồ sơ chưa đầy đủ' }).waitFor();
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await page.getByText('Đang hiển thị 2 hồ sơ').waitFor({ timeout: 30_000 });
    expect(await rows.count()).toBe(2);
    await page.getByText('Giới tính', { exact: true }).waitFor();
    await page.getByText('Số định danh cá nhân (số đã khai được để riêng, cần đối soát)', { exact: true }).waitFor();
    await screen(page, '04b-incomplete-records');
    await rows.first().getByRole('link').click();
    await page.waitForURL(/\/children\/[0-9a-f-]{36}$/);
    await context.close();

    // Phone width.
    const phone = await newContext(chromium.browser, 'phone');
    const small = await phone.newPage();
    await signIn(small, platform.consoleUrl, USERS.communeOfficer);
    await small.goto(`${platform.consoleUrl}/imports`);
    await small.getByRole('heading', { level: 1, name: 'Nhập dữ liệu' }).waitFor();
    await screen(small, '05-import-phone');
    await phone.close();

    // Not yet here: the audit trail through the query API (GET /audit/events answered an empty list in
    // this run; see the report of issue 11, Import). The re-import's counts above show no second child.
  }, 240_000);
});

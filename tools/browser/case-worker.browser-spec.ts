import { describeInBrowser, launchChromium, LaunchedBrowser, newContext } from './chromium';
import { apiAs, screens, signIn, USERS } from './journey';
import { startPlatform, RunningPlatform } from './platform';

const JOURNEY = 'case-worker';
const screen = screens(JOURNEY);
type Api = Awaited<ReturnType<typeof apiAs>>;

/** Waits until the projector has put the case in the unassigned worklist. */
async function inWorklist(api: Api, caseId: string): Promise<void> {
  let last = '';
  for (let i = 0; i < 900; i++) {
    const res = await api.query<{ cases: { caseId: string }[]; total: number }>('GET', '/cases/worklist?view=unassigned&limit=100');
    if (res.status === 200 && res.body.cases.some((c) => c.caseId === caseId)) return;
    last = `status ${res.status}, ${res.status === 200 ? `${res.body.total} open unassigned` : ''}`;
    await new Promise((r) => setTimeout(r, 200));
  }
  const mine = await api.query<{ total: number }>('GET', '/cases/worklist?view=mine');
  const read = await api.query('GET', `/cases/${caseId}`, undefined, { 'x-purpose': 'case_work' });
  throw new Error(`the case never reached the worklist (last answer: ${last}; mine: ${mine.status} ${mine.body.total}; the case's read: ${read.status})`);
}

describeInBrowser('a case worker takes an unassigned case and records the assessment (Chromium)', () => {
  let platform: RunningPlatform;
  let chromium: LaunchedBrowser;
  let caseId: string;

  beforeAll(async () => {
    platform = await startPlatform();
    chromium = await launchChromium();
    const officer = await apiAs(platform, 'communeOfficer');
    const child = await officer.registry<{ id: string }>('POST', '/children', {
      fullName: 'Trần Thị Lan',
      dateOfBirth: '2015-05-20',
      sex: 'F',
      residence: { communeCode: '00004', effectiveFrom: '2025-07-01' },
    });
    expect(child.status).toBe(201);
    const worker = await apiAs(platform, 'provinceCaseWorker');
    const opened = await worker.registry<{ id: string }>('POST', '/cases', {
      childId: child.body.id,
      channel: 'hotline_111',
      concern: 'neglect',
      protectionLevel: 'support',
      reportedAt: new Date().toISOString(),
    });
    expect(opened.status).toBe(201);
    caseId = opened.body.id;
    await inWorklist(worker, caseId);
  }, 420_000);
  afterAll(async () => {
    await chromium?.close();
    await platform?.stop();
  });

  it('sees the case among the unassigned, takes it, records the assessment; the trail shows who did it', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, USERS.provinceCaseWorker);
    await page.goto(`${platform.consoleUrl}/cases`);
    await page.getByRole('heading', { level: 1, name: 'Danh sách vụ việc' }).waitFor();
    await page.getByRole('tab', { name: 'Chưa có người phụ trách' }).click();
    const take = page.getByRole('button', { name: 'Nhận xử lý' });
    await take.first().waitFor();
    await page.getByRole('link', { name: 'Đã tiếp nhận thông báo' }).first().waitFor();
    await screen(page, '01-unassigned');
    await take.first().click();

    await page.waitForURL(`**/cases/${caseId}`);
    await page.getByRole('button', { name: 'Xem dữ liệu' }).click();
    await page.getByText('Thông tin vụ việc').waitFor();
    await page.getByText('Cán bộ', { exact: false }).first().waitFor();
    await screen(page, '02-case-taken');

    await page.getByRole('combobox', { name: 'Mức độ nguy cơ' }).click();
    await page.getByTitle('Cao', { exact: true }).first().click();
    await page.getByLabel('Ghi chú').fill('Đã gặp gia đình');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByText('Đã lưu.').waitFor();
    // The projection catches up: the step moves on to planning.
    await page.getByRole('button', { name: 'Lưu' }).waitFor();
    await page.getByText('Lập kế hoạch can thiệp').first().waitFor({ timeout: 30_000 });
    await screen(page, '03-assessed');
    await context.close();

    const phone = await newContext(chromium.browser, 'phone');
    const small = await phone.newPage();
    await signIn(small, platform.consoleUrl, USERS.provinceCaseWorker);
    await small.goto(`${platform.consoleUrl}/cases`);
    await small.getByRole('link', { name: 'Đã đánh giá' }).first().waitFor();
    await screen(small, '04-phone-mine');
    await phone.close();

    // The trail, through the API: the assignment and the assessment, both by the case worker.
    const inspector = await apiAs(platform, 'provinceInspector');
    let types: { eventType: string; role: string | null }[] = [];
    for (let i = 0; i < 100 && !(types.some((e) => e.eventType === 'CaseAssessed') && types.some((e) => e.eventType === 'CaseAssigned')); i++) {
      const trail = await inspector.query<{ items: { eventType: string; caseId: string | null; actor: { role: string | null } }[] }>(
        'GET',
        '/audit/events?limit=100',
      );
      expect(trail.status).toBe(200);
      types = trail.body.items.filter((e) => e.caseId === caseId).map((e) => ({ eventType: e.eventType, role: e.actor.role }));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(types).toEqual(
      expect.arrayContaining([
        { eventType: 'CaseAssigned', role: 'case_worker' },
        { eventType: 'CaseAssessed', role: 'case_worker' },
      ]),
    );
  }, 240_000);
});

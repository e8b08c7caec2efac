import { describeInBrowser, launchChromium, LaunchedBrowser, newContext } from './chromium';
import { apiAs, screens, signIn, USERS } from './journey';
import { startPlatform, RunningPlatform } from './platform';

const JOURNEY = 'duplicates';
const screen = screens(JOURNEY);

type PairItem = { childId: string; otherChildId: string };
type AuditItem = { eventType: string; actor: { userId: string; role: string }; childId: string };

/** The same child registered twice in Ba Đình (once typed without accents): the duplicates list finds the pair as the records arrive. */
describeInBrowser('duplicates: a data officer merges a pair and reverts the merge (Chromium)', () => {
  let platform: RunningPlatform;
  let chromium: LaunchedBrowser;
  const ids: string[] = [];

  beforeAll(async () => {
    platform = await startPlatform();
    chromium = await launchChromium();
    const officer = await apiAs(platform, 'communeOfficer');
    for (const fullName of ['Hoàng Thị Minh Thư', 'Hoang Thi Minh Thu']) {
      const res = await officer.registry<{ id: string }>('POST', '/children', {
        fullName,
        dateOfBirth: '2015-11-20',
        sex: 'F',
        motherName: 'Lê Thị Hoa',
        residence: { communeCode: '00004', effectiveFrom: '2025-07-01' },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    let last = '';
    for (let i = 0; i < 300; i++) {
      const res = await officer.registry<{ items: PairItem[] }>('GET', '/reconciliation/duplicates?limit=50');
      if (res.status === 200 && res.body.items.some((p) => [p.childId, p.otherChildId].sort().join() === [...ids].sort().join())) return;
      last = `status ${res.status}, ${res.status === 200 ? res.body.items.length : JSON.stringify(res.body).slice(0, 200)} pairs`;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the pair never reached the duplicates list (${last})`);
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await platform?.stop();
  });

  it('compares the pair side by side, merges it with a reason, then reverts the merge; both are in the audit trail by the officer', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, USERS.communeOfficer);
    await page.goto(`${platform.consoleUrl}/reconciliation/duplicates`);
    await page.getByRole('heading', { level: 1, name: 'Hồ sơ trùng lặp' }).waitFor();
    await page.getByRole('link', { name: 'So sánh' }).first().waitFor();
    await screen(page, '01-pairs');
    await page.getByRole('link', { name: 'So sánh' }).first().click();
    await page.getByRole('radio', { name: 'Đối soát dữ liệu' }).check();
    await page.getByRole('button', { name: 'Xem dữ liệu' }).click();
    await page.getByRole('heading', { name: /So sánh hai hồ sơ/ }).waitFor();
    await page.getByText('Hoang Thi Minh Thu').first().waitFor();
    await screen(page, '02-pair-side-by-side');

    // Merging without choosing the record to keep is refused beside the field.
    await page.getByLabel('Lý do', { exact: true }).fill('Cùng một trẻ, đăng ký hai lần');
    await page.getByRole('button', { name: 'Gộp hồ sơ' }).click();
    await page.getByText('Chọn hồ sơ được giữ lại trước khi gộp.').waitFor();
    await page.getByRole('radio', { name: 'Giữ Hồ sơ 1' }).check();
    await page.getByRole('button', { name: 'Gộp hồ sơ' }).click();
    await page
      .getByRole('status')
      .getByText(/Đã gộp hồ sơ/)
      .waitFor();
    const merges = page.getByRole('region', { name: 'Hồ sơ đã gộp (đang có hiệu lực)' });
    await merges.getByRole('button', { name: 'Hoàn tác' }).waitFor();
    await screen(page, '03-merged');

    await merges.getByRole('button', { name: 'Hoàn tác' }).click();
    const dialog = page.getByRole('dialog', { name: 'Hoàn tác việc gộp hồ sơ' });
    await dialog.getByLabel('Lý do', { exact: true }).fill('Là hai trẻ sinh đôi');
    await dialog.getByRole('button', { name: 'Hoàn tác' }).click();
    await page.getByRole('status').getByText('Đã hoàn tác việc gộp hồ sơ.').waitFor();
    await merges.getByText('Không có hồ sơ nào đang được gộp.').waitFor();
    await screen(page, '04-reverted');
    await context.close();

    // The audit trail, through the API: the merge and its revert on the duplicate's stream, by the officer.
    const inspector = await apiAs(platform, 'provinceInspector');
    let events: AuditItem[] = [];
    for (let t = 0; t < 150; t++) {
      events = [];
      for (const id of ids) {
        const res = await inspector.query<{ items: AuditItem[] }>('GET', `/audit/events?childId=${id}&limit=50`);
        if (res.status === 200) events.push(...res.body.items);
      }
      if (events.some((e) => e.eventType === 'ChildRecordsMergeReverted')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const merged = events.filter((e) => e.eventType === 'ChildRecordsMerged');
    const reverted = events.filter((e) => e.eventType === 'ChildRecordsMergeReverted');
    expect(merged.map((e) => e.actor.userId)).toEqual(['dev-commune-officer']);
    expect(reverted.map((e) => [e.actor.userId, e.childId])).toEqual([['dev-commune-officer', merged[0]!.childId]]);
    const officer = await apiAs(platform, 'communeOfficer');
    const duplicate = await officer.registry<{ status: string }>('GET', `/children/${merged[0]!.childId}`, undefined, { 'x-purpose': 'reconciliation' });
    expect(duplicate.body.status).toBe('active');
  }, 240_000);
});

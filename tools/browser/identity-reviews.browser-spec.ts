import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeInBrowser, launchChromium, LaunchedBrowser, newContext } from './chromium';
import { apiAs, screens, signIn, USERS } from './journey';
import { startPlatform, RunningPlatform } from './platform';

const JOURNEY = 'identity-reviews';
const screen = screens(JOURNEY);

/**
 * Three children, each with two namesakes in the national database stand-in (same name, sex,
 * date of birth and commune: twins' records, or a number issued twice): the identity adapter cannot
 * choose and sends each to review with two candidates. The sandbox is seeded from a residents file
 * (SANDBOX_RESIDENTS_CSV), as an operator would seed it.
 */
const PAIRS = [
  { fullName: 'Vũ Thị Ngọc Ánh', sex: 'F', dateOfBirth: '2016-02-15', ids: ['001316000101', '001316000102'] },
  { fullName: 'Đặng Văn Hải Đăng', sex: 'M', dateOfBirth: '2015-04-20', ids: ['001215000201', '001215000202'] },
  { fullName: 'Bùi Thị Thanh Tâm', sex: 'F', dateOfBirth: '2017-09-03', ids: ['001317000301', '001317000302'] },
] as const;

type ReviewItem = { childId: string; candidateCount: number };
type AuditItem = { eventType: string; actor: { userId: string; role: string } };

describeInBrowser('identity reviews: a data officer works three reviews (Chromium)', () => {
  let platform: RunningPlatform;
  let chromium: LaunchedBrowser;
  let dir: string;
  const children: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'reviews-journey-'));
    const csv = path.join(dir, 'residents.csv');
    const rows = PAIRS.flatMap((p) => p.ids.map((id) => [id, p.fullName, p.sex, p.dateOfBirth, '00004'].join(',')));
    writeFileSync(csv, `personal_id,full_name,sex,date_of_birth,residence_commune_code\n${rows.join('\n')}\n`);
    platform = await startPlatform({ SANDBOX_RESIDENTS_CSV: csv, SANDBOX_ERROR_RATE: '0', SANDBOX_TIMEOUT_RATE: '0' });
    chromium = await launchChromium();
    const officer = await apiAs(platform, 'communeOfficer');
    for (const p of PAIRS) {
      const res = await officer.registry<{ id: string }>('POST', '/children', {
        fullName: p.fullName,
        dateOfBirth: p.dateOfBirth,
        sex: p.sex,
        residence: { communeCode: '00004', effectiveFrom: '2025-07-01' },
      });
      expect(res.status).toBe(201);
      children.push(res.body.id);
    }
    // The adapter decides asynchronously: wait for the three reviews in the officer's queue.
    let last = '';
    for (let i = 0; i < 300; i++) {
      const q = await officer.registry<{ items: ReviewItem[] }>('GET', '/reconciliation/reviews?limit=50');
      const mine = q.status === 200 ? q.body.items.filter((r) => children.includes(r.childId)) : [];
      if (mine.length === 3) {
        expect(mine.every((r) => r.candidateCount === 2)).toBe(true);
        return;
      }
      last = `status ${q.status}, ${mine.length} of 3`;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the three reviews never reached the queue (${last})`);
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await platform?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('links one by clicking, rejects one, links one with the keyboard; the queue empties and each decision is in the audit trail by the officer', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, USERS.communeOfficer);
    const signedIn = Date.now();
    await page.goto(`${platform.consoleUrl}/reconciliation/reviews`);
    await page.getByRole('heading', { level: 1, name: 'Xem xét định danh' }).waitFor();
    await page.getByRole('radio', { name: 'Đối soát dữ liệu' }).check();
    await page.getByRole('button', { name: 'Xem dữ liệu' }).click();
    // The review open now (its heading counts what is left in the queue), showing child `n`'s record.
    const review = (n: number) =>
      page
        .getByRole('region', { name: /^Hồ sơ \d+ \/ \d+$/ })
        .getByText(PAIRS[n - 1]!.fullName)
        .first();
    await review(1).waitFor();
    process.stderr.write(`[browser] sign-in to the first review: ${Date.now() - signedIn} ms (informative)\n`);
    await page.getByText('Xác suất tổng:').waitFor();
    await screen(page, '01-first-review');

    // 1: pick candidate 1 with the mouse, give a reason, link.
    await page.getByRole('radio', { name: /Ứng viên 1/ }).check();
    await page.getByLabel('Lý do', { exact: true }).fill('Khớp giấy khai sinh');
    await page.getByRole('button', { name: 'Liên kết ứng viên đã chọn (A)' }).click();
    await review(2).waitFor();

    // 2: none of them is this child.
    await page.getByLabel('Lý do', { exact: true }).fill('Khác cha mẹ');
    await page.getByRole('button', { name: 'Không ứng viên nào đúng (R)' }).click();
    await review(3).waitFor();
    await screen(page, '02-third-review');

    // 3: the keyboard: a reason, then out of the field, 2 picks the second candidate, A links it.
    await page.getByLabel('Lý do', { exact: true }).fill('Khớp sổ hộ khẩu');
    await page.getByRole('heading', { level: 1, name: 'Xem xét định danh' }).click();
    await page.keyboard.press('2');
    await page.keyboard.press('a');
    await page.getByText('Không còn hồ sơ nào chờ xem xét.').waitFor();
    await screen(page, '03-queue-empty');
    await context.close();

    // The decisions, through the API: the child streams hold them, by the officer.
    const inspector = await apiAs(platform, 'provinceInspector');
    const expected = ['NationalIdLinked', 'NoNationalRecordFound', 'NationalIdLinked'];
    for (const [i, childId] of children.entries()) {
      let items: AuditItem[] = [];
      for (let t = 0; t < 150; t++) {
        const res = await inspector.query<{ items: AuditItem[] }>('GET', `/audit/events?childId=${childId}&limit=50`);
        items = res.status === 200 ? res.body.items : [];
        if (items.some((e) => e.eventType === expected[i])) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const decision = items.find((e) => e.eventType === expected[i] && e.actor.role === 'data_officer');
      expect({ child: i + 1, decision: decision?.eventType, by: decision?.actor.userId }).toEqual({
        child: i + 1,
        decision: expected[i],
        by: 'dev-commune-officer',
      });
    }
    const officer = await apiAs(platform, 'communeOfficer');
    const second = await officer.registry<{ nationalId?: string; identity: string }>('GET', `/children/${children[2]}`, undefined, {
      'x-purpose': 'reconciliation',
    });
    expect(second.body).toMatchObject({ identity: 'linked' });
    expect(PAIRS[2].ids).toContain(second.body.nationalId);
  }, 240_000);
});

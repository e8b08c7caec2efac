import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { measureFirstLoad } from '../../apps/console/server/bundle-size';
import { describeInBrowser, launchChromium, LaunchedBrowser, newContext, VIEWPORTS } from './chromium';
import { startPlatform, RunningPlatform } from './platform';
import { recordScreen, Screen } from './screens';

const JOURNEY = 'sign-in';

/** Each screen's screenshot is written, and axe-core finds nothing serious or critical on it. */
async function screen(page: Page, name: string): Promise<Screen> {
  const s = await recordScreen(page, JOURNEY, name);
  expect({ screen: name, violations: s.violations }).toEqual({ screen: name, violations: [] });
  return s;
}

/** Signs in through the development issuer's login page, as a person would. */
async function signIn(page: Page, consoleUrl: string, userName: RegExp, record = false): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByRole('heading', { name: 'Đăng nhập', exact: true }).waitFor();
  if (record) await screen(page, '01-sign-in');
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await page.getByRole('heading', { name: 'Đăng nhập ChildLedger' }).waitFor();
  if (record) await screen(page, '02-issuer-login');
  await page.getByRole('button', { name: userName }).click();
  await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
}

describeInBrowser('the console: sign-in, the shell, languages, sign-out (Chromium)', () => {
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

  it('the first load is at most 350 KB of JavaScript, gzipped', () => {
    const size = measureFirstLoad();
    process.stderr.write(`[browser] console first-load JS: ${(size.firstLoadGzipBytes / 1024).toFixed(1)} KB gzipped\n`);
    expect(size.firstLoadGzipBytes).toBeLessThanOrEqual(350 * 1024);
  });

  it('a commune officer signs in, sees the shell in Vietnamese, switches to English and back, and signs out', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, /Cán bộ phường Ba Đình/, true);

    // The shell: who, role and unit; the officer's menu; the first screen.
    const user = page.getByRole('region', { name: 'Người dùng' });
    await user.getByText('Cán bộ phường Ba Đình').waitFor();
    // The unit by its name in today's list (the code until the registry's answer arrives).
    await user.getByText('Cán bộ dữ liệu · Phường Ba Đình').waitFor();
    expect(await user.innerText()).not.toContain('00004');
    const menu = page.getByRole('navigation', { name: 'Menu chính' });
    for (const item of ['Tìm trẻ em', 'Đăng ký', 'Nhập dữ liệu', 'Đối soát']) expect(await menu.getByRole('link', { name: item }).count()).toBe(1);
    expect(await menu.getByRole('link', { name: 'Danh sách vụ việc' }).count()).toBe(0);
    await page.getByRole('heading', { level: 1, name: 'Tìm trẻ em' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('vi');
    await screen(page, '03-officer-shell-vi');

    // The console's access token is accepted by the API behind the console's own origin: a read of
    // a child that does not exist is a 404 (signed in), not a 401.
    const session = JSON.parse(String(await page.evaluate('JSON.stringify(sessionStorage)'))) as Record<string, string>;
    const stored = Object.entries(session).find(([k]) => k.startsWith('oidc.user:'));
    expect(stored).toBeDefined();
    const token = (JSON.parse(stored![1]) as { access_token: string }).access_token;
    const viaConsole = await fetch(`${platform.consoleUrl}/registry/api/v1/children/${randomUUID()}`, {
      headers: { authorization: `Bearer ${token}`, 'x-purpose': 'case_work' },
    });
    expect(viaConsole.status).toBe(404);
    const unsigned = await fetch(`${platform.consoleUrl}/registry/api/v1/children/${randomUUID()}`, { headers: { 'x-purpose': 'case_work' } });
    expect(unsigned.status).toBe(401);
    // ...and the development tokens of POST /token still verify beside it.
    const legacy = (await (
      await fetch(`${platform.issuerUrl}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"communeOfficer"}' })
    ).json()) as { access_token: string };
    const direct = await fetch(`${platform.registryUrl}/api/v1/children/${randomUUID()}`, {
      headers: { authorization: `Bearer ${legacy.access_token}`, 'x-purpose': 'case_work' },
    });
    expect(direct.status).toBe(404);

    // English, remembered across a reload, then back to Vietnamese.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Find a child' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Register' }).count()).toBe(1);
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await screen(page, '04-officer-shell-en');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Find a child' }).waitFor();
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tìm trẻ em' }).waitFor();

    // Each screen of the menu opens by its link.
    for (const [link, heading, name] of [
      ['Đăng ký', 'Đăng ký trẻ em', '05-officer-register'],
      ['Nhập dữ liệu', 'Nhập dữ liệu', '06-officer-import'],
      ['Đối soát', 'Xem xét định danh', '07-officer-reconciliation'],
    ] as const) {
      await menu.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await screen(page, name);
    }

    // A phone: the menu moves behind a button.
    await page.setViewportSize(VIEWPORTS.phone);
    await page.getByRole('button', { name: 'Mở menu' }).click();
    const drawerMenu = page.getByRole('dialog').getByRole('navigation', { name: 'Menu chính' });
    // A trial click waits until the drawer has stopped sliding in.
    await drawerMenu.getByRole('link', { name: 'Tìm trẻ em' }).click({ trial: true });
    await screen(page, '08-officer-phone-menu');
    await drawerMenu.getByRole('link', { name: 'Tìm trẻ em' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tìm trẻ em' }).waitFor();
    await screen(page, '09-officer-phone');
    await page.setViewportSize(VIEWPORTS.desktop);

    // Sign-out ends the issuer's session too: the next sign-in asks who it is again.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('heading', { name: 'Đăng xuất khỏi ChildLedger?' }).waitFor();
    await screen(page, '10-issuer-sign-out');
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('heading', { name: 'Đăng nhập', exact: true }).waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(platform.consoleUrl).origin);
    await screen(page, '11-signed-out');
    await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
    await page.getByRole('heading', { name: 'Đăng nhập ChildLedger' }).waitFor();
    await context.close();
  });

  it('a case worker signs in and sees the case worker’s menu', async () => {
    const context = await newContext(chromium.browser);
    const page = await context.newPage();
    await signIn(page, platform.consoleUrl, /Cán bộ quản lý ca Hà Nội/);
    const menu = page.getByRole('navigation', { name: 'Menu chính' });
    await menu.getByRole('link', { name: 'Danh sách vụ việc' }).waitFor();
    for (const item of ['Tìm trẻ em', 'Đăng ký', 'Nhập dữ liệu', 'Đối soát']) expect(await menu.getByRole('link', { name: item }).count()).toBe(0);
    await page.getByRole('heading', { level: 1, name: 'Danh sách vụ việc' }).waitFor();
    await page.getByRole('region', { name: 'Người dùng' }).getByText('Cán bộ quản lý trường hợp · Thành phố Hà Nội').waitFor();
    await screen(page, '12-case-worker-shell');
    await context.close();
  });
});

import * as fs from 'node:fs';
import { Browser, BrowserContext, chromium } from 'playwright-core';

/** Debian's chromium (Playwright's own download cannot work here); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const chromiumAvailable = (): boolean => fs.existsSync(CHROMIUM_PATH);

/**
 * `describe` when Chromium is installed. Without it, a local run skips the suite with its reason
 * in the name; in CI (`CI=true`) the suite runs and fails, since a browser test never silently skips there.
 */
export function describeInBrowser(name: string, fn: () => void): void {
  if (chromiumAvailable() || process.env['CI'] === 'true') describe(name, fn);
  else describe.skip(`${name} (skipped: no Chromium at ${CHROMIUM_PATH}; apt-get install -y chromium)`, fn);
}

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  if (!chromiumAvailable()) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  // playwright-core gives every launch a fresh, temporary user-data-dir of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** The screens the console must work on: a commune office's laptop and a phone. */
export const VIEWPORTS = {
  desktop: { width: 1366, height: 768 },
  phone: { width: 390, height: 844 },
} as const;

export async function newContext(browser: Browser, viewport: keyof typeof VIEWPORTS = 'desktop'): Promise<BrowserContext> {
  return browser.newContext({ viewport: VIEWPORTS[viewport], locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
}

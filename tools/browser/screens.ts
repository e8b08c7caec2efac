import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

/** Where the browser tests write a screenshot of each screen they visit. */
export const SCREENSHOTS_DIR = path.resolve(__dirname, '../../tmp/screenshots');

export interface Screen {
  /** The screenshot's file, relative to the workspace. */
  file: string;
  violations: { id: string; impact: string; help: string; nodes: string[] }[];
}

/**
 * Records one screen: a full-page screenshot in tmp/screenshots/<journey>/<name>.png, and
 * axe-core's serious and critical accessibility violations on it (WCAG 2.1 A and AA rules).
 */
export async function recordScreen(page: Page, journey: string, name: string): Promise<Screen> {
  const dir = path.join(SCREENSHOTS_DIR, journey);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  // A select's list still closing (its animation) shows antd's open listbox, which has no accessible
  // name of its own: take the screen once every list is closed.
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').first().waitFor({ state: 'hidden' });
  // The pointer off the page and every CSS transition finished: a button just clicked is still
  // hovered otherwise, and axe would judge a colour half-way through antd's hover transition.
  await page.mouse.move(0, 0);
  // Polled from here with evaluate (the DevTools protocol, which the console's CSP allows);
  // waitForFunction would evaluate it in the page with eval, which `script-src 'self'` refuses. A
  // string: this file is compiled without the DOM's types. An infinite animation (a spinner) is not waited for.
  const settled = "document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)";
  for (let tries = 0; tries < 100 && !(await page.evaluate(settled)); tries++) await page.waitForTimeout(50);
  await page.screenshot({ path: file, fullPage: true });
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const violations = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact!,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`.slice(0, 300)),
    }));
  return { file: path.relative(path.resolve(__dirname, '../..'), file), violations };
}

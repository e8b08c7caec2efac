import type { Page } from 'playwright-core';
import type { RunningPlatform } from './platform';
import { recordScreen, Screen } from './screens';

/** One journey's screenshots (tmp/screenshots/<journey>/) and its axe check: nothing serious or critical. */
export function screens(journey: string): (page: Page, name: string) => Promise<Screen> {
  return async (page, name) => {
    const s = await recordScreen(page, journey, name);
    expect({ screen: name, violations: s.violations }).toEqual({ screen: name, violations: [] });
    return s;
  };
}

/** The development issuer's seeded users, by the button their name is on (DEV_USERS). */
export const USERS = {
  communeOfficer: /Cán bộ phường Ba Đình/,
  provinceCaseWorker: /Cán bộ quản lý ca Hà Nội/,
} as const;

/** Signs in through the development issuer's login page, as a person would, and waits for the shell. */
export async function signIn(page: Page, consoleUrl: string, user: RegExp): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByRole('heading', { name: 'Đăng nhập', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await page.getByRole('heading', { name: 'Đăng nhập ChildLedger' }).waitFor();
  await page.getByRole('button', { name: user }).click();
  await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
}

/**
 * The APIs as a seeded user (a development token from the issuer's POST /token), for a journey's
 * set-up (children to find) and its check of the audit trail afterwards. Answers are parsed JSON.
 */
export async function apiAs(platform: RunningPlatform, username: 'communeOfficer' | 'provinceCaseWorker' | 'provinceInspector' | 'admin') {
  const res = await fetch(`${platform.issuerUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  if (!res.ok) throw new Error(`POST /token for ${username}: ${res.status}`);
  const { access_token: token } = (await res.json()) as { access_token: string };
  const call = async <T = Record<string, unknown>>(
    base: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    token,
    registry: <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>(platform.registryUrl, method, path, body, headers),
    query: <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>(platform.queryUrl, method, path, body, headers),
  };
}

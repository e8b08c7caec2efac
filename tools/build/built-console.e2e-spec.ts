import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '@childledger/database';
import { CONSOLE_DIST, ensureConsoleBuild } from '../../apps/console/server/build';
import { buildApp } from './build-app';

/**
 * What the console's image does: its server built by the same build as the services (into a scratch
 * folder here, so that the shared dist/ a browser test may be serving is left alone), the static
 * build beside it in static/, `npm ci --omit=dev` of the generated manifest, then `node main.js`.
 */
describe('the console built and run from its own folder', () => {
  let scratch: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'childledger-console-'));
    await buildApp('console', {}, scratch);
    await ensureConsoleBuild(() => undefined);
    cpSync(CONSOLE_DIST, path.join(scratch, 'static'), { recursive: true });
    const install = spawnSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: scratch,
      encoding: 'utf8',
    });
    if (install.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.stderr}`);
  }, 300_000);

  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    // A container's environment: nothing of the workspace.
    const child = spawn(process.execPath, ['main.js'], { cwd: scratch, env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    return { child, output: () => output, exited: new Promise((r) => child.once('exit', r)) };
  }

  it('carries its server and four production dependencies, no development one and none of the services', () => {
    const manifest = JSON.parse(readFileSync(path.join(scratch, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['class-transformer', 'class-validator', 'express', 'reflect-metadata']);
    expect(existsSync(path.join(scratch, 'static/index.html'))).toBe(true);
    expect(existsSync(path.join(scratch, 'apps/console/server/main.js'))).toBe(true);
    // The browser's sources and the build's configuration are not in it.
    expect(existsSync(path.join(scratch, 'apps/console/src'))).toBe(false);
    expect(existsSync(path.join(scratch, 'apps/console/vite.config.mts'))).toBe(false);
    expect(existsSync(path.join(scratch, 'node_modules/@nestjs/core'))).toBe(false);
  });

  it('refuses to start without an identity provider, or with one over http:// outside loopback, naming the variable', async () => {
    const none = run({ CONSOLE_PORT: String(await freePort()) });
    expect(await none.exited).toBe(1);
    expect(none.output()).toContain('CONSOLE_OIDC_ISSUER: is required to run the console on its own');
    const plain = run({ CONSOLE_PORT: String(await freePort()), CONSOLE_OIDC_ISSUER: 'http://id.example.gov.vn' });
    expect(await plain.exited).toBe(1);
    expect(plain.output()).toContain('CONSOLE_OIDC_ISSUER: must be an https:// URL');
    const badPort = run({ CONSOLE_PORT: 'eighty', CONSOLE_OIDC_ISSUER: 'https://id.example.gov.vn' });
    expect(await badPort.exited).toBe(1);
    expect(badPort.output()).toContain('CONSOLE_PORT');
  });

  it('serves its probes, /config.json, the page and its assets; /registry and /query are not answered with the page', async () => {
    const port = await freePort();
    const console_ = run({ CONSOLE_PORT: String(port), HOST: '127.0.0.1', CONSOLE_OIDC_ISSUER: 'https://id.example.gov.vn/realms/childledger' });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${base}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || console_.child.exitCode !== null) throw new Error(`the console did not become ready:\n${console_.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${base}/config.json`)).json()).toEqual({
      oidc: { issuer: 'https://id.example.gov.vn/realms/childledger', clientId: 'childledger-console', scope: 'openid profile childledger' },
    });
    const page = await fetch(`${base}/children/some-child`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    expect(page.headers.get('content-security-policy')).toContain('https://id.example.gov.vn');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const notProxied = await fetch(`${base}/registry/api/v1/children`);
    expect(notProxied.status).toBe(404);
    expect(await notProxied.json()).toMatchObject({ message: '/registry is not served by the console here' });
    console_.child.kill('SIGTERM');
    expect(await console_.exited).toBe(0);
    expect(console_.output()).toContain('"service":"console"');
  });
});

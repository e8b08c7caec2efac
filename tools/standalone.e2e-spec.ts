import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createDevIssuerApp, DEV_USERS, DevIssuer } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestDatabase, freePort, TestDatabase, testRuntimeRoleUrl } from '@childledger/database';

const root = path.resolve(__dirname, '..');
const main = (app: string) => ['-r', path.join(root, 'tools/register.js'), path.join(root, `apps/${app}/src/main.ts`)];

/** A service's main.ts as production runs it: its own process, a real identity provider over JWKS. */
describe('a service run on its own (main.ts)', () => {
  let db: TestDatabase;
  let issuerApp: INestApplication;
  let issuer: DevIssuer;
  let issuerUrl: string;
  let child: ChildProcess | undefined;
  let runtimeUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    runtimeUrl = await testRuntimeRoleUrl(db);
    const issuerPort = await freePort();
    issuerUrl = `http://127.0.0.1:${issuerPort}`;
    issuer = await DevIssuer.create(issuerUrl);
    issuerApp = await createDevIssuerApp(issuer);
    await issuerApp.listen(issuerPort, '127.0.0.1');
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await issuerApp.close();
    await db.drop();
  });

  it('refuses to start without an identity provider or a key-encryption key, naming both', () => {
    const run = spawnSync(process.execPath, main('query-api'), {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, AUTH_JWKS_URL: '', CHILDLEDGER_KEK: '' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('AUTH_JWKS_URL and AUTH_ISSUER are required');
    expect(run.stderr).toContain('CHILDLEDGER_KEK is required');
  });

  const configured = () => ({
    ...process.env,
    AUTH_JWKS_URL: `${issuerUrl}/.well-known/jwks.json`,
    AUTH_ISSUER: issuerUrl,
    CHILDLEDGER_KEK: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  });

  it('refuses to log in to PostgreSQL as the owner, naming DATABASE_URL and the runtime role', () => {
    const run = spawnSync(process.execPath, main('query-api'), { cwd: root, env: { ...configured(), DATABASE_URL: db.url }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^DATABASE_URL: logs in as a role that is a superuser.*run the services as childledger_runtime/m);
  });

  it('refuses a database whose migrations were not applied: services never migrate', async () => {
    const bare = await createTestDatabase();
    try {
      const run = spawnSync(process.execPath, main('query-api'), {
        cwd: root,
        env: {
          ...configured(),
          DATABASE_URL: await testRuntimeRoleUrl(db).then(() =>
            bare.url.replace(/\/\/[^@]*@/, `//${new URL(runtimeUrl).username}:${new URL(runtimeUrl).password}@`),
          ),
        },
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/DATABASE_URL: \d+ migration\(s\) not applied .*run the migration step first/);
    } finally {
      await bare.drop();
    }
  });

  it('refuses http:// for the identity provider outside loopback, naming the variable', () => {
    const run = spawnSync(process.execPath, main('query-api'), {
      cwd: root,
      env: { ...configured(), DATABASE_URL: runtimeUrl, AUTH_JWKS_URL: 'http://id.example.gov.vn/certs', AUTH_ISSUER: 'http://id.example.gov.vn' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('AUTH_JWKS_URL: must be an https:// URL');
    expect(run.stderr).toContain('AUTH_ISSUER: must be an https:// URL');
  });

  it('starts, trusts the provider’s tokens over JWKS, and stops on SIGTERM', async () => {
    const port = await freePort();
    child = spawn(process.execPath, main('query-api'), {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: runtimeUrl,
        QUERY_API_PORT: String(port),
        AUTH_JWKS_URL: `${issuerUrl}/.well-known/jwks.json`,
        AUTH_ISSUER: issuerUrl,
        CHILDLEDGER_KEK: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${base}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('query-api did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
    const admin = await issuer.tokenFor(DEV_USERS.admin);
    expect((await fetch(`${base}/api/v1/metrics`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/metrics`)).status).toBe(401);
    const exited = new Promise<number | null>((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

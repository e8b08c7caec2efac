import type { ChildProcess } from 'node:child_process';
import { createTestDatabase, freePort, TestDatabase } from '@childledger/database';
import { spawnNpmStart } from './start-process';

/** `npm start` as a user runs it (here against the test run's server through DATABASE_URL). */
describe('npm start', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let readOutput: () => string = () => '';
  let base: string;
  let issuerBase: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    const issuerPort = await freePort();
    // Every other service gets a free port too, so the test never depends on what else listens here.
    const otherPorts: Record<string, string> = {};
    for (const name of ['SANDBOX_PORT', 'IDENTITY_ADAPTER_PORT', 'PROJECTOR_PORT', 'QUERY_API_PORT', 'STREAM_GATEWAY_PORT', 'LOG_SEALER_PORT', 'CONSOLE_PORT']) {
      otherPorts[name] = String(await freePort());
    }
    base = `http://127.0.0.1:${port}`;
    issuerBase = `http://127.0.0.1:${issuerPort}`;
    const start = spawnNpmStart({ ...otherPorts, DATABASE_URL: db.url, REGISTRY_API_PORT: String(port), DEV_ISSUER_PORT: String(issuerPort), LOG_LEVEL: 'info' });
    child = start.child;
    readOutput = start.output;
    await start.ready;
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await db.drop();
  });

  it('prints each service URL', () => {
    expect(readOutput()).toContain(`registry-api     http://localhost:${new URL(base).port}/api/v1`);
  });

  it('runs a development issuer and prints a token for each seeded user', async () => {
    for (const user of ['communeOfficer', 'provinceCaseWorker', 'provinceInspector', 'admin']) expect(readOutput()).toContain(`  ${user} (`);
    const jwks = (await (await fetch(`${issuerBase}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d'); // public part only
    const token = await fetch(`${issuerBase}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin' }) });
    expect(token.status).toBe(200);
    expect(((await token.json()) as { access_token: string }).access_token).toMatch(/^ey/);
    const unknown = await fetch(`${issuerBase}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root' }) });
    expect(unknown.status).toBe(400);
  });

  it('serves health, readiness (with the database) and the OpenAPI document', async () => {
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    const docs = await fetch(`${base}/docs-json`);
    expect(docs.status).toBe(200);
    expect(await docs.json()).toMatchObject({ info: { title: 'ChildLedger registry API' } });
  });

  it('every service it started is ready', async () => {
    const health = [...readOutput().matchAll(/health (http:\/\/\S+\/health\/ready)/g)].map((m) => m[1]!);
    expect(health.length).toBeGreaterThanOrEqual(5);
    for (const url of health) {
      const res = await fetch(url.replace('localhost', '127.0.0.1'));
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
    }
  });

  it('echoes a well-formed correlation id and replaces a malformed one', async () => {
    const given = await fetch(`${base}/health/live`, { headers: { 'x-correlation-id': 'req-42' } });
    expect(given.headers.get('x-correlation-id')).toBe('req-42');
    const bad = await fetch(`${base}/health/live`, { headers: { 'x-correlation-id': 'bad id with spaces' } });
    expect(bad.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs JSON lines with the correlation id and without query strings', async () => {
    await fetch(`${base}/api/v1/children?name=Nguyen%20Van%20An`, { headers: { 'x-correlation-id': 'trace-7' } });
    await new Promise((r) => setTimeout(r, 200));
    const line = readOutput().split('\n').find((l) => l.includes('"trace-7"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ correlationId: 'trace-7', req: { path: '/api/v1/children' } });
    expect(readOutput()).not.toContain('Nguyen');
  });

  it('stops everything cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(readOutput()).toContain('"msg":"stopped"');
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  });
});

describe('npm start with bad configuration', () => {
  it('fails fast naming every bad variable', async () => {
    const start = spawnNpmStart({ REGISTRY_API_PORT: 'eighty', LOG_LEVEL: 'chatty', DATABASE_URL: 'http://nope' });
    start.ready.catch(() => undefined); // it is meant never to be ready
    const code = await new Promise<number | null>((r) => start.child.once('exit', r));
    const err = start.output();
    expect(code).toBe(2);
    expect(err).toContain('REGISTRY_API_PORT');
    expect(err).toContain('LOG_LEVEL');
    expect(err).toContain('DATABASE_URL');
  });
});

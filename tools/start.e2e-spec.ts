import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, freePort, TestDatabase } from '@childledger/database';
import { checkAgainstOpenApi, OpenApiDocument, readHttpExamples } from './contracts/http-examples';
import { spawnNpmStart } from './start-process';
import { START_SERVICES } from './start-services';

const PORT_VARIABLES = [
  'REGISTRY_API_PORT',
  'DEV_ISSUER_PORT',
  'SANDBOX_PORT',
  'IDENTITY_ADAPTER_PORT',
  'PROJECTOR_PORT',
  'QUERY_API_PORT',
  'STREAM_GATEWAY_PORT',
  'LOG_SEALER_PORT',
  'CONSOLE_PORT',
];

async function freePorts(): Promise<Record<string, string>> {
  const ports: Record<string, string> = {};
  for (const name of PORT_VARIABLES) ports[name] = String(await freePort());
  return ports;
}

/** Lines of npm start's output that are JSON log lines. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Ctrl-C in a terminal: SIGINT to the whole process group (the launcher and every service process). */
function ctrlC(child: ChildProcess): void {
  process.kill(-child.pid!, 'SIGINT');
}

/** Kills whatever is left of a detached npm start's process group. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The service processes npm start forked, by service name (from their command lines). */
function serviceProcesses(parent: number): Map<string, number> {
  const pids = execFileSync('pgrep', ['-P', String(parent)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
  const found = new Map<string, number>();
  for (const pid of pids) {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = args.findIndex((a) => a.endsWith('tools/start-service.ts'));
    if (i >= 0) found.set(args[i + 1]!, pid);
  }
  return found;
}

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
    for (const name of [
      'SANDBOX_PORT',
      'IDENTITY_ADAPTER_PORT',
      'PROJECTOR_PORT',
      'QUERY_API_PORT',
      'STREAM_GATEWAY_PORT',
      'LOG_SEALER_PORT',
      'CONSOLE_PORT',
    ]) {
      otherPorts[name] = String(await freePort());
    }
    base = `http://127.0.0.1:${port}`;
    issuerBase = `http://127.0.0.1:${issuerPort}`;
    const start = spawnNpmStart(
      { ...otherPorts, DATABASE_URL: db.url, REGISTRY_API_PORT: String(port), DEV_ISSUER_PORT: String(issuerPort), LOG_LEVEL: 'info' },
      { detached: true },
    );
    child = start.child;
    readOutput = start.output;
    await start.ready;
  });

  afterAll(async () => {
    killGroup(child);
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
    const token = await fetch(`${issuerBase}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin' }),
    });
    expect(token.status).toBe(200);
    expect(((await token.json()) as { access_token: string }).access_token).toMatch(/^ey/);
    const unknown = await fetch(`${issuerBase}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root' }),
    });
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

  it("serves every request of docs/http/*.http: each path, method and query parameter is in its service's OpenAPI document", async () => {
    const services: Record<string, string> = { registry: 'registry-api', query: 'query-api', gateway: 'stream-gateway' };
    const examples = readHttpExamples();
    expect(examples.map((e) => e.file)).toEqual(['query-api.http', 'registry-api.http', 'stream-gateway.http']);
    const problems: string[] = [];
    let checked = 0;
    for (const { requests } of examples) {
      for (const request of requests) {
        if (request.base === 'issuer') continue; // the development issuer's /token, not an API of the platform
        const service = services[request.base];
        if (!service) {
          problems.push(`${request.file}:${request.line}: unknown base {{${request.base}}}`);
          continue;
        }
        const port = new RegExp(`${service}\\s+http://localhost:(\\d+)/api/v1`).exec(readOutput())![1];
        const doc = (await (await fetch(`http://127.0.0.1:${port}/docs-json`)).json()) as OpenApiDocument;
        problems.push(...checkAgainstOpenApi(request, '/api/v1', doc));
        checked += 1;
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(20);
    // The check can fail: a path the document does not have, and an undeclared query parameter.
    const docs = (await (await fetch(`${base}/docs-json`)).json()) as OpenApiDocument;
    const wrong = { file: 'x.http', line: 1, method: 'GET', base: 'registry', path: '/childs/{}', query: [] };
    expect(checkAgainstOpenApi(wrong, '/api/v1', docs)).toEqual(['x.http:1 GET /childs/{}: no such path in the OpenAPI document']);
    expect(checkAgainstOpenApi({ ...wrong, path: '/admin-units', query: ['province', 'colour'] }, '/api/v1', docs)).toEqual([
      'x.http:1 GET /admin-units: query parameter colour is not declared',
    ]);
  });

  it('documents a response schema for the success of every route of every service (OpenAPI)', async () => {
    const missing: string[] = [];
    const services = [...readOutput().matchAll(/^ {2}([a-z-]+)\s+(http:\/\/localhost:\d+)\/api\/v1\s+docs /gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(services.map(([name]) => name)).toEqual(expect.arrayContaining(['registry-api', 'query-api', 'stream-gateway']));
    for (const [service, url] of services) {
      const doc = (await (await fetch(`${url.replace('localhost', '127.0.0.1')}/docs-json`)).json()) as {
        paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
      };
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(operations)) {
          const ok = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
          // A 204 has no body; every other success says what it returns.
          const described = ok.length > 0 && ok.every(([status, r]) => status === '204' || Object.values(r.content ?? {}).some((c) => c.schema !== undefined));
          if (!described) missing.push(`${service} ${method.toUpperCase()} ${path}`);
        }
      }
    }
    expect(missing).toEqual([]);
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
    const line = readOutput()
      .split('\n')
      .find((l) => l.includes('"trace-7"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ correlationId: 'trace-7', req: { path: '/api/v1/children' } });
    expect(readOutput()).not.toContain('Nguyen');
  });

  it('runs each service in its own process, whose log lines carry its own name', () => {
    const services = serviceProcesses(child.pid!);
    expect([...services.keys()].sort()).toEqual(START_SERVICES.map((s) => s.name).sort());
    expect(new Set(services.values()).size).toBe(START_SERVICES.length);
    // Nest's own start-up line is logged outside any request, by each service's logger.
    const started = logLines(readOutput()).filter((l) => l['msg'] === 'Nest application successfully started');
    expect(started.map((l) => l['service']).sort()).toEqual(START_SERVICES.map((s) => s.name).sort());
  });

  it('stops everything cleanly on Ctrl-C, services before the rest, and logs no error', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    ctrlC(child);
    expect(await exited).toBe(0);
    const lines = logLines(readOutput());
    expect(lines.filter((l) => (l['level'] as number) >= 50)).toEqual([]);
    expect(readOutput()).not.toMatch(/Error|exited unexpectedly/);
    const stopped = lines.filter((l) => l['msg'] === 'service stopped').map((l) => l['app']);
    expect(stopped.slice(0, START_SERVICES.length).sort()).toEqual(START_SERVICES.map((s) => s.name).sort());
    expect(stopped.slice(START_SERVICES.length).sort()).toEqual(['console', 'dev-issuer']);
    expect(lines.at(-1)).toMatchObject({ service: 'start', msg: 'stopped' });
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    expect(() => serviceProcesses(child.pid!)).toThrow(); // pgrep finds no child left
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

describe('npm start on a network address', () => {
  const unset = { AUTH_JWKS_URL: '', AUTH_ISSUER: '', CHILDLEDGER_KEK: '', CHILDLEDGER_SEAL_KEY: '', CHILDLEDGER_DEDUPE_KEY: '', PARTNER_SECRETS_FILE: '' };
  const run = async (env: NodeJS.ProcessEnv) => {
    const start = spawnNpmStart({ ...unset, ...env });
    start.ready.catch(() => undefined); // it is meant never to be ready
    const code = await new Promise<number | null>((r) => start.child.once('exit', r));
    return { code, output: start.output() };
  };

  it('refuses HOST=0.0.0.0 with the development issuer and keys: one line saying why, exit 2, nothing started', async () => {
    const { code, output } = await run({ HOST: '0.0.0.0' });
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(
      /^npm start refuses HOST=0\.0\.0\.0, which is not a loopback address, while it would use development stand-ins: set AUTH_JWKS_URL and AUTH_ISSUER/,
    );
    for (const v of ['CHILDLEDGER_KEK', 'CHILDLEDGER_SEAL_KEY', 'CHILDLEDGER_DEDUPE_KEY', 'PARTNER_SECRETS_FILE']) expect(output).toContain(v);
  });

  it('with an identity provider configured, still refuses the development keys, naming only them', async () => {
    const { code, output } = await run({ HOST: '192.0.2.10', AUTH_JWKS_URL: 'https://id.example.gov.vn/certs', AUTH_ISSUER: 'https://id.example.gov.vn' });
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).not.toContain('AUTH_JWKS_URL');
    expect(output).toContain('CHILDLEDGER_KEK');
  });
});

describe('npm start on its embedded PostgreSQL', () => {
  it('on Ctrl-C stops every service before the database, and logs no error', async () => {
    const dataRoot = mkdtempSync(path.join(os.tmpdir(), 'childledger-start-'));
    // As root, PostgreSQL runs as the postgres user, which must reach the data directory.
    execFileSync('chmod', ['755', dataRoot]);
    const start = spawnNpmStart(
      {
        ...(await freePorts()),
        DATABASE_URL: '',
        CHILDLEDGER_DATA_DIR: path.join(dataRoot, 'postgres'),
        EMBEDDED_POSTGRES_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      },
      { detached: true },
    );
    try {
      await start.ready;
      const exited = new Promise<number | null>((r) => start.child.once('exit', (code) => r(code)));
      ctrlC(start.child);
      expect(await exited).toBe(0);
      const lines = logLines(start.output());
      expect(lines.filter((l) => (l['level'] as number) >= 50)).toEqual([]);
      expect(start.output()).not.toMatch(/Error|exited unexpectedly/);
      const order = lines
        .filter((l) => l['service'] === 'start' && (l['msg'] === 'service stopped' || l['msg'] === 'stopped'))
        .map((l) => l['app'] ?? 'database');
      expect(order).toHaveLength(START_SERVICES.length + 3);
      // Every service process has exited before the console, the issuer and then the database stop ("stopped" follows the database's stop).
      expect(order.slice(0, START_SERVICES.length).sort()).toEqual(START_SERVICES.map((s) => s.name).sort());
      expect(order.slice(START_SERVICES.length)).toEqual(['console', 'dev-issuer', 'database']);
    } finally {
      killGroup(start.child);
      rmSync(dataRoot, { recursive: true, force: true });
    }
  }, 300_000); // initdb, migrations and the sandbox's seed on a fresh cluster
});

describe('npm start when a service dies', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('says which one, stops the others and exits non-zero', async () => {
    const start = spawnNpmStart({ ...(await freePorts()), DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, { detached: true });
    try {
      await start.ready;
      const projector = serviceProcesses(start.child.pid!).get('projector')!;
      const exited = new Promise<number | null>((r) => start.child.once('exit', (code) => r(code)));
      process.kill(projector, 'SIGKILL');
      expect(await exited).toBe(1);
      expect(start.output()).toContain('projector exited unexpectedly (SIGKILL): stopping every service');
      expect(logLines(start.output())).toContainEqual(expect.objectContaining({ level: 50, app: 'projector', msg: 'a service exited unexpectedly' }));
    } finally {
      killGroup(start.child);
    }
  });
});

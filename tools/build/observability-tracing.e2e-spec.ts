// Tracing as production runs it: the registry API and the projector each started from its main.ts
// in its own process, with the standard OTEL_* variables pointing at an OTLP/HTTP (JSON) receiver
// in this test. One command over HTTP: the registry API's server span (and its pg spans), the
// event's metadata carrying that trace, the projector's batch span linked to it, and the stream
// gateway's delivery of the event to a partner (a page of its HTTP feed) linked to it too. The
// query API, started without the variables, exports nothing.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { createPool, createTestDatabase, freePort, TestDatabase, testRuntimeRoleUrl } from '@childledger/database';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createDevIssuerApp, DEV_USERS, DevIssuer } from '@childledger/platform';
import { registration } from '../../apps/registry-api/test/registry-api.harness';

const root = path.resolve(__dirname, '..', '..');
const main = (app: string) => ['-r', path.join(root, 'tools/register.js'), path.join(root, `apps/${app}/src/main.ts`)];

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: OtlpValue }[];
  links?: { traceId: string; spanId: string }[];
}
interface ReceivedSpan extends OtlpSpan {
  service: string;
}

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;
const PARTNER_SECRETS = { PARTNER_MOH_KEY_SECRET: randomBytes(24).toString('hex'), PARTNER_MOH_CLIENT_SECRET: randomBytes(24).toString('hex') };
const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.intValue ?? v?.boolValue ?? v?.doubleValue;
};

async function until<T>(what: string, read: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('tracing across processes (OTLP/HTTP to a receiver in the test)', () => {
  let db: TestDatabase;
  let owner: Pool;
  let issuerApp: INestApplication;
  let issuer: DevIssuer;
  let receiver: Server;
  const spans: ReceivedSpan[] = [];
  /** Every request body the receiver got, as text: nothing personal may be in any of them. */
  const bodies: string[] = [];
  const children: ChildProcess[] = [];
  const bases: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    owner = createPool(db.url, { role: null, max: 2 });
    const runtimeUrl = await testRuntimeRoleUrl(db);
    const issuerPort = await freePort();
    const issuerUrl = `http://127.0.0.1:${issuerPort}`;
    issuer = await DevIssuer.create(issuerUrl);
    issuerApp = await createDevIssuerApp(issuer);
    await issuerApp.listen(issuerPort, '127.0.0.1');

    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        bodies.push(text);
        if (req.url === '/v1/traces') {
          const body = JSON.parse(text) as {
            resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
          };
          for (const rs of body.resourceSpans) {
            const service = String(rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue);
            for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    const common = {
      ...process.env,
      DATABASE_URL: runtimeUrl,
      AUTH_JWKS_URL: `${issuerUrl}/.well-known/jwks.json`,
      AUTH_ISSUER: issuerUrl,
      CHILDLEDGER_KEK: randomBytes(32).toString('base64'),
      CHILDLEDGER_DEDUPE_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
      OTEL_TRACES_EXPORTER: '',
      OTEL_SERVICE_NAME: '',
    };
    const traced = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' };
    const start = async (app: string, portVariable: string, env: Record<string, string>) => {
      const port = await freePort();
      const child = spawn(process.execPath, main(app), {
        cwd: root,
        env: { ...common, ...env, [portVariable]: String(port) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      children.push(child);
      bases[app] = `http://127.0.0.1:${port}`;
      await until(`${app} ready`, async () => {
        if (child.exitCode !== null) throw new Error(`${app} exited ${child.exitCode}: ${stderr}`);
        return (await fetch(`${bases[app]}/health/ready`).then(
          (r) => r.ok,
          () => false,
        ))
          ? true
          : undefined;
      });
    };
    await Promise.all([
      start('registry-api', 'REGISTRY_API_PORT', traced),
      start('projector', 'PROJECTOR_PORT', traced),
      start('query-api', 'QUERY_API_PORT', {}),
      start('stream-gateway', 'STREAM_GATEWAY_PORT', {
        ...traced,
        ...PARTNER_SECRETS,
        PARTNER_MOET_KEY_SECRET: randomBytes(24).toString('hex'),
        PARTNER_TOKEN_SECRET: randomBytes(32).toString('hex'),
      }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null) return r();
            c.once('exit', () => r());
            c.kill('SIGTERM');
          }),
      ),
    );
    receiver?.close();
    await issuerApp?.close();
    await owner?.end();
    await db?.drop();
  });

  it('follows a command from the registry API’s request to the event’s metadata and to the projector’s batch', async () => {
    const officer = await issuer.tokenFor(DEV_USERS.communeOfficer);
    const body = registration();
    const created = await fetch(`${bases['registry-api']}/api/v1/children`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const read = await fetch(`${bases['registry-api']}/api/v1/children/${id}?purpose=data_correction`, { headers: { authorization: `Bearer ${officer}` } });
    expect(read.status).toBe(200);

    const server = await until('the registry API’s server span of the POST', () =>
      spans.find(
        (s) => s.service === 'registry-api' && s.kind === SERVER && attr(s, 'http.route') === '/api/v1/children' && attr(s, 'http.request.method') === 'POST',
      ),
    );
    expect(attr(server, 'http.response.status_code')).toBe(201);
    // Its database work is in the same trace.
    await until('a pg span in the command’s trace', () => spans.find((s) => s.traceId === server.traceId && attr(s, 'db.system.name') === 'postgresql'));

    const { rows } = await owner.query<{ metadata: Record<string, unknown> }>(
      `SELECT metadata FROM events WHERE event_type = 'ChildRegistered' ORDER BY global_position DESC LIMIT 1`,
    );
    const traceparent = String(rows[0]!.metadata['traceparent']);
    expect(traceparent).toMatch(new RegExp(`^00-${server.traceId}-[0-9a-f]{16}-01$`));

    const batch = await until('the projector’s batch span linked to the command', () =>
      spans.find((s) => s.service === 'projector' && s.kind === CONSUMER && (s.links ?? []).some((l) => l.traceId === server.traceId)),
    );
    expect(batch.name).toMatch(/^subscription projection:/);
    expect(batch.traceId).not.toBe(server.traceId);
    expect(batch.links!.find((l) => l.traceId === server.traceId)!.spanId).toBe(traceparent.split('-')[2]);

    // The partner's delivery: the gateway's projection puts the event in the outbox; a page of the
    // HTTP feed that holds it is a producer span linked to the command.
    const grant = await fetch(`${bases['stream-gateway']}/api/v1/partners/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'moh', client_secret: PARTNER_SECRETS.PARTNER_MOH_CLIENT_SECRET }),
    });
    expect(grant.status).toBe(200);
    const partner = { authorization: `Bearer ${((await grant.json()) as { access_token: string }).access_token}` };
    const page = await until('the registration in the partner’s feed', async () => {
      const res = await fetch(`${bases['stream-gateway']}/api/v1/feeds/moh/events?limit=10`, { headers: partner });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { events: { type: string }[] };
      return body.events.length > 0 ? body : undefined;
    });
    expect(page.events.map((e) => e.type.split('.').slice(-2, -1)[0])).toEqual(['ChildRegistered']);
    expect(JSON.stringify(page)).not.toContain(server.traceId);
    const delivery = await until('the feed page’s span linked to the command', () =>
      spans.find((s) => s.service === 'stream-gateway' && s.name === 'partner feed moh' && (s.links ?? []).some((l) => l.traceId === server.traceId)),
    );
    expect(delivery.kind).toBe(PRODUCER);
    expect(delivery.links!.find((l) => l.traceId === server.traceId)!.spanId).toBe(traceparent.split('-')[2]);
    expect(attr(delivery, 'childledger.partner.channel')).toBe('http');
    expect(attr(delivery, 'messaging.batch.message_count')).toBe(1);
    // Inside the partner's request (under the GET's server span and NestJS's handler span), not a trace of its own.
    expect(delivery.parentSpanId).toBeTruthy();
    const feedRequest = await until('the feed GET’s server span', () =>
      spans.find((s) => s.traceId === delivery.traceId && s.kind === SERVER && attr(s, 'http.route') === '/api/v1/feeds/:partner/events'),
    );
    expect(attr(feedRequest, 'http.response.status_code')).toBe(200);

    // The GET's purpose (a query string) and the child's personal data appear in no span.
    const get = await until('the GET’s server span', () => spans.find((s) => s.kind === SERVER && attr(s, 'http.route') === '/api/v1/children/:childId'));
    expect(String(attr(get, 'url.query') ?? '')).toBe('');
    const exported = bodies.join('\n');
    expect(exported).not.toContain('purpose=data_correction');
    expect(exported).not.toContain(String(body['fullName']));
    expect(exported).not.toContain(String(body['dateOfBirth']));
  });

  it('exports nothing from a service started without the OTEL_* variables', async () => {
    const inspector = await issuer.tokenFor(DEV_USERS.provinceInspector);
    expect((await fetch(`${bases['query-api']}/api/v1/audit/events?limit=1`, { headers: { authorization: `Bearer ${inspector}` } })).status).toBeLessThan(500);
    // The traced services' health probes are not traced either: after the first test's spans, wait a flush interval.
    await new Promise((r) => setTimeout(r, 500));
    expect(spans.filter((s) => s.service === 'query-api')).toEqual([]);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['registry-api', 'projector', 'stream-gateway']));
    expect(spans.filter((s) => /^\/health\//.test(String(attr(s, 'url.path') ?? '')))).toEqual([]);
  });
});

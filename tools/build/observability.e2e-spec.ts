// The alert rules and the Grafana dashboard name only metrics the services serve: every service of
// the platform started from its own factory against one test database, each with its internal
// metrics listener (METRICS_PORT=0: a free port), scraped without a token after some traffic; every
// childledger_*, process_* and nodejs_* name in deploy/observability must be on one of the pages.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, TestDatabase } from '@childledger/database';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { parsePartnersDocument } from '@childledger/partner-streams';
import { loadConfig, MetricsServer, PlatformConfig } from '@childledger/platform';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { generateScenario } from '@childledger/testing';
import { createRegistryApi } from '../../apps/registry-api/src/registry-api.app';
import { registration } from '../../apps/registry-api/test/registry-api.harness';
import { createQueryApi } from '../../apps/query-api/src/query-api.app';
import { createProjector } from '../../apps/projector/src/projector.app';
import { createLogSealer } from '../../apps/log-sealer/src/log-sealer.app';
import { createStreamGateway } from '../../apps/stream-gateway/src/stream-gateway.app';
import { createPopulationRegistrySandbox } from '../../apps/population-registry-sandbox/src/sandbox.app';
import { createIdentityAdapter } from '../../apps/identity-adapter/src/identity-adapter.app';
import { toResident } from '../sandbox-residents';
import { alertExpressions, dashboardExpressions, exposedMetricNames, metricProblems, parseSamples, sampleValue } from './observability';

const SANDBOX_CLIENT = { SANDBOX_CLIENT_ID: 'observability-test', SANDBOX_CLIENT_SECRET: 'observability-test-secret' };
const PARTNER_SECRETS = {
  moh: { clientSecret: 'moh-client-secret-for-tests', keySecret: 'moh-key-secret-for-tests-0000' },
  moet: { clientSecret: 'moet-client-secret-for-tests', keySecret: 'moet-key-secret-for-tests-000' },
};

interface Running {
  name: string;
  app: INestApplication;
  /** The service's own port (`http://127.0.0.1:port`). */
  base: string;
  /** Its internal metrics listener. */
  metrics: string;
}

const url = async (app: INestApplication) => (await app.getUrl()).replace('[::1]', '127.0.0.1');
const scrape = async (s: Running) => {
  const res = await fetch(`${s.metrics}/metrics`);
  expect({ service: s.name, status: res.status }).toEqual({ service: s.name, status: 200 });
  return res.text();
};

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('observability (e2e): every metric the alert rules and the dashboard name is served, on an internal port without a token', () => {
  let db: TestDatabase;
  let auth: TestAuth;
  const services: Running[] = [];
  const byName = (name: string) => services.find((s) => s.name === name)!;

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    auth = await createTestAuth();
    // From the environment's strings, as a container gets them: METRICS_PORT=0 asks for a free port.
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', SEAL_EVERY_SECONDS: '1' });
    const start = async (name: string, app: INestApplication) => {
      await app.listen(0, '127.0.0.1');
      const metrics = app.get(MetricsServer).url;
      if (!metrics) throw new Error(`${name}: no metrics listener`);
      services.push({ name, app, base: await url(app), metrics });
    };
    await start('registry-api', await createRegistryApi(config, db.url, { auth: auth.auth }));
    await start('projector', await createProjector(config, db.url, { auth: auth.auth, settings: { lagIntervalMs: 100 } }));
    await start('query-api', await createQueryApi(config, db.url, { auth: auth.auth }));
    await start('log-sealer', await createLogSealer(config, db.url, { auth: auth.auth }));
    const residents = generateScenario({ seed: 7, households: 30, records: 0 }).residents;
    await start(
      'population-registry-sandbox',
      await createPopulationRegistrySandbox(config, db.url, {
        auth: auth.auth,
        sandbox: SANDBOX_CLIENT,
        faults: { latencyMs: 0, rateLimitPerSecond: 0, errorRate: 0, timeoutRate: 0, timeoutHangMs: 2000 },
        residents: () => residents.map(toResident),
      }),
    );
    await start(
      'identity-adapter',
      await createIdentityAdapter(config, db.url, {
        auth: auth.auth,
        adapter: {
          NATIONAL_REGISTRY_URL: `${byName('population-registry-sandbox').base}/api/v1`,
          NATIONAL_REGISTRY_CLIENT_ID: SANDBOX_CLIENT.SANDBOX_CLIENT_ID,
          NATIONAL_REGISTRY_CLIENT_SECRET: SANDBOX_CLIENT.SANDBOX_CLIENT_SECRET,
        },
        settings: { retryDelayMs: 100, maxRetryDelayMs: 400 },
      }),
    );
    const partners = parsePartnersDocument(JSON.parse(readFileSync(path.resolve(__dirname, '../../apps/stream-gateway/partners.json'), 'utf8')));
    await start(
      'stream-gateway',
      await createStreamGateway(config, db.url, {
        auth: auth.auth,
        gateway: { filePartners: partners, secrets: PARTNER_SECRETS, provinceOf: (c) => c.slice(0, 2), pruneIntervalMs: 0 },
      }),
    );
  }, 120_000);

  afterAll(async () => {
    for (const s of [...services].reverse()) await s.app.close().catch(() => undefined);
    await db?.drop();
  });

  it('serves /metrics on the internal port to a caller with no token, and nothing else there', async () => {
    for (const s of services) {
      const res = await fetch(`${s.metrics}/metrics`);
      expect({ service: s.name, status: res.status, type: res.headers.get('content-type') }).toEqual({
        service: s.name,
        status: 200,
        type: expect.stringContaining('text/plain'),
      });
      expect(await res.text()).toMatch(new RegExp(`^process_cpu_seconds_total\\{service="${s.name}"\\} `, 'm'));
      // Only /metrics: not the API, not its health routes, and no other method.
      expect({ service: s.name, status: (await fetch(`${s.metrics}/api/v1/children`)).status }).toEqual({ service: s.name, status: 404 });
      expect({ service: s.name, status: (await fetch(`${s.metrics}/health/ready`)).status }).toEqual({ service: s.name, status: 404 });
      expect({ service: s.name, status: (await fetch(`${s.metrics}/metrics`, { method: 'POST' })).status }).toEqual({ service: s.name, status: 405 });
    }
  });

  it('keeps the public port as it was: no metrics route there once METRICS_PORT is set, and every API route still refuses a request without a token', async () => {
    const admin = await auth.issuer.tokenFor(auth.users.admin);
    for (const s of services) {
      // The admin-only route is gone: even an admin's token finds nothing.
      expect({ service: s.name, status: (await fetch(`${s.base}/api/v1/metrics`, { headers: { authorization: `Bearer ${admin}` } })).status }).toEqual({
        service: s.name,
        status: 404,
      });
      expect({ service: s.name, status: (await fetch(`${s.base}/health/live`)).status }).toEqual({ service: s.name, status: 200 });
    }
    const unauthenticated: [string, string][] = [
      ['registry-api', '/api/v1/children/00000000-0000-4000-8000-000000000000?purpose=case_work'],
      ['query-api', '/api/v1/children/00000000-0000-4000-8000-000000000000?purpose=inspection'],
      ['stream-gateway', '/api/v1/feeds/moh/events'],
      ['stream-gateway', '/api/v1/partners'],
    ];
    for (const [service, route] of unauthenticated) {
      expect({ service, route, status: (await fetch(`${byName(service).base}${route}`)).status }).toEqual({ service, route, status: 401 });
    }
  });

  it('counts requests by route template, never by URL: no id and no query string in any label', async () => {
    const officer = await auth.issuer.tokenFor(auth.users.communeOfficer);
    const registry = byName('registry-api');
    const created = await fetch(`${registry.base}/api/v1/children`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
      body: JSON.stringify(registration()),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const read = await fetch(`${registry.base}/api/v1/children/${id}?purpose=data_correction`, { headers: { authorization: `Bearer ${officer}` } });
    expect(read.status).toBe(200);
    const notFound = { service: 'registry-api', method: 'GET', route: '/api/v1/{*path}', status: '404' };
    const notFoundBefore = sampleValue(await scrape(registry), 'childledger_http_requests_total', notFound) ?? 0;
    expect((await fetch(`${registry.base}/api/v1/no-such-route/${id}`, { headers: { authorization: `Bearer ${officer}` } })).status).toBe(404);
    const page = await scrape(registry);
    const http = { service: 'registry-api' };
    expect(sampleValue(page, 'childledger_http_requests_total', { ...http, method: 'POST', route: '/api/v1/children', status: '201' })).toBe(1);
    expect(sampleValue(page, 'childledger_http_requests_total', { ...http, method: 'GET', route: '/api/v1/children/:childId', status: '200' })).toBe(1);
    expect(
      sampleValue(page, 'childledger_http_request_duration_seconds_count', { ...http, method: 'GET', route: '/api/v1/children/:childId', status: '200' }),
    ).toBe(1);
    // No route took it: Nest's catch-all under the API prefix answers the 404, and that template is the label.
    expect(sampleValue(page, 'childledger_http_requests_total', notFound)).toBe(notFoundBefore + 1);
    const routes = new Set(parseSamples(page).flatMap((s) => (s.labels['route'] ? [s.labels['route']] : [])));
    expect([...routes].filter((r) => !/^\/[\w/:{}*.-]*$/.test(r) && r !== 'unmatched')).toEqual([]);
    expect(page).not.toContain(id);
    expect(page).not.toContain('purpose=');
    expect(page).not.toContain(String(registration()['fullName']));
  });

  it('shows the identity adapter’s calls to the national database by outcome, its breaker closed, and the sealer’s checkpoint age', async () => {
    const adapter = byName('identity-adapter');
    const ok = { service: 'identity-adapter', operation: 'search', outcome: 'ok' };
    const page = await until('a national database call in the identity adapter’s metrics', async () => {
      const text = await scrape(adapter);
      return (sampleValue(text, 'childledger_national_registry_requests_total', ok) ?? 0) > 0 ? text : undefined;
    });
    expect(sampleValue(page, 'childledger_national_registry_request_duration_seconds_count', ok)).toBeGreaterThan(0);
    expect(sampleValue(page, 'childledger_national_registry_circuit_state', { state: 'closed' })).toBe(1);
    expect(sampleValue(page, 'childledger_national_registry_circuit_state', { state: 'open' })).toBe(0);
    expect(sampleValue(page, 'childledger_national_registry_circuit_opened_total')).toBe(0);
    expect(sampleValue(page, 'childledger_pg_pool_max_connections')).toBe(5);
    expect(sampleValue(page, 'childledger_pg_pool_connections')).toBeGreaterThan(0);
    // NaN until the sealer signs its first checkpoint (SEAL_EVERY_SECONDS=1 here), then a number of seconds.
    const sealer = await until('a signed checkpoint', async () => {
      const text = await scrape(byName('log-sealer'));
      return Number.isFinite(sampleValue(text, 'childledger_log_seal_age_seconds')) ? text : undefined;
    });
    expect(sampleValue(sealer, 'childledger_log_seal_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(sealer, 'childledger_log_unsealed_events')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(sealer, 'childledger_log_unsealed_age_seconds')).toBeGreaterThanOrEqual(0);
    // The partner projections trail the log by a count of events (and reach 0 once caught up).
    const gateway = await until('the partner projection caught up', async () => {
      const text = await scrape(byName('stream-gateway'));
      return sampleValue(text, 'childledger_partner_projection_lag_events', { partner: 'moh' }) === 0 ? text : undefined;
    });
    expect(sampleValue(gateway, 'childledger_partner_projection_lag_events', { partner: 'moet' })).toBe(0);
    // No KAFKA_BROKERS: no relay, so no relay-lag series (the metric is declared, with no sample).
    expect(sampleValue(gateway, 'childledger_partner_relay_lag_rows', { partner: 'moh' })).toBeUndefined();
    expect(gateway).toContain('# TYPE childledger_partner_relay_lag_rows gauge');
  });

  it('serves every metric the alert rules and the dashboard name, and the same check reports a name nobody serves', async () => {
    const exposed = new Set<string>();
    for (const s of services) for (const name of exposedMetricNames(await scrape(s))) exposed.add(name);
    const expressions = [...alertExpressions(), ...dashboardExpressions()];
    expect(expressions.length).toBeGreaterThan(30);
    expect(metricProblems(expressions, exposed)).toEqual([]);
    // Negative: a rule naming a metric no service serves, and one with a typo in a real name.
    expect(
      metricProblems(
        [
          { where: 'alert Invented', expr: 'sum(rate(childledger_invented_total[5m])) > 0' },
          { where: 'alert Typo', expr: 'max(childledger_subscription_lag_event) > 10 and on() max(childledger_subscription_lag_events) > 10' },
        ],
        exposed,
      ),
    ).toEqual(['alert Invented: no service serves childledger_invented_total', 'alert Typo: no service serves childledger_subscription_lag_event']);
  });
});

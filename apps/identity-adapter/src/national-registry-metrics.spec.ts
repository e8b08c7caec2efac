import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { HttpNationalPopulationRegistry } from '@childledger/identity';
import { attemptOutcome, NationalRegistryMetrics } from './national-registry-metrics';

const value = async (registry: Registry, name: string, labels: Record<string, string> = {}) => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
};

describe('national database metrics', () => {
  it('maps each attempt to one of a fixed few outcomes', () => {
    expect([200, 404, 429, 401, 403, 500, 503, 408, 400, 422, 'timeout', 'network'].map((s) => attemptOutcome(s as never))).toEqual([
      'ok',
      'not_found',
      'rate_limited',
      'unauthorized',
      'unauthorized',
      'server_error',
      'server_error',
      'server_error',
      'rejected',
      'rejected',
      'timeout',
      'network',
    ]);
  });

  it('counts failed attempts by outcome, and shows the breaker open once consecutive failures reach its threshold', async () => {
    // A national database that hands out tokens and answers every call with 503.
    const server = createServer((req, res) =>
      req.url?.endsWith('/oauth/token')
        ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 't', expires_in: 3600 }))
        : res.writeHead(503).end(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const national = new HttpNationalPopulationRegistry({
      baseUrl: `http://127.0.0.1:${port}/api/v1`,
      clientId: 'metrics-test',
      clientSecret: 'metrics-test-secret',
      maxAttempts: 1,
      breakerThreshold: 2,
      halfOpenAfterMs: 60_000,
    });
    const registry = new Registry();
    new NationalRegistryMetrics(national, registry);
    try {
      expect(await value(registry, 'childledger_national_registry_circuit_state', { state: 'closed' })).toBe(1);
      for (let i = 0; i < 3; i++)
        await expect(national.search({ fullName: 'x' } as never, { correlationId: `c${i}`, childId: `child-${i}` })).rejects.toThrow();
      // Two attempts went out and failed (503), the third was refused by the open breaker.
      expect(await value(registry, 'childledger_national_registry_requests_total', { operation: 'search', outcome: 'server_error' })).toBe(2);
      const histogram = (await registry.getMetricsAsJSON()).find((m) => m.name === 'childledger_national_registry_request_duration_seconds')!;
      const count = (histogram.values as { metricName?: string; labels: Record<string, unknown>; value: number }[]).find(
        (v) => v.metricName?.endsWith('_count') && v.labels['outcome'] === 'server_error',
      );
      expect(count?.value).toBe(2);
      expect(await value(registry, 'childledger_national_registry_circuit_state', { state: 'open' })).toBe(1);
      expect(await value(registry, 'childledger_national_registry_circuit_state', { state: 'closed' })).toBe(0);
      expect(await value(registry, 'childledger_national_registry_circuit_opened_total')).toBe(1);
    } finally {
      await national.close();
      server.close();
    }
  });
});

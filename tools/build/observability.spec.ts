// deploy/observability and the manifests' metrics ports, without running anything: the rules'
// shape and runbook links, every expression parsed by Prometheus's grammar, the checker's own
// negative cases, and in both rendered overlays a metrics port on every service that only the
// monitoring namespace may reach. That the metrics exist is the e2e's (observability.e2e-spec.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { kustomize, resolveKubectl } from './kubectl';
import { K8sObject, parseManifests } from './manifests';
import {
  alertExpressions,
  alertRules,
  dashboardExpressions,
  exposedMetricNames,
  metricProblems,
  parseSamples,
  promqlMetricNames,
  sampleValue,
} from './observability';
import { SERVICES } from './services';

/* eslint-disable @typescript-eslint/no-explicit-any -- assertions over rendered YAML */
const root = path.resolve(__dirname, '..', '..');
const METRICS_PORT = 9464;

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchors = (markdown: string) =>
  new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );

describe('deploy/observability', () => {
  const rules = alertRules();

  it('gives every alert a unique name, a severity, a summary and a runbook section that exists', () => {
    const runbook = anchors(readFileSync(path.join(root, 'docs/runbooks/operating.md'), 'utf8'));
    expect(rules.length).toBeGreaterThanOrEqual(12);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const r of rules) {
      const [file, anchor] = (r.annotations?.['runbook_url'] ?? '').split('#');
      expect({ alert: r.alert, severity: r.labels?.['severity'], summary: !!r.annotations?.['summary'], file, anchor: runbook.has(anchor ?? '') }).toEqual({
        alert: r.alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
        summary: true,
        file: 'docs/runbooks/operating.md',
        anchor: true,
      });
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
    }
  });

  it('covers what the issue asks for: projection lag, stuck subscriptions, dead letters, the breaker, relay lag, seal age', () => {
    const used = new Set(rules.flatMap((r) => promqlMetricNames(r.expr).names));
    for (const name of [
      'childledger_subscription_lag_events',
      'childledger_subscription_state',
      'childledger_subscription_dead_letters_total',
      'childledger_national_registry_circuit_state',
      'childledger_partner_relay_lag_rows',
      'childledger_log_unsealed_age_seconds',
    ])
      expect({ name, used: used.has(name) }).toEqual({ name, used: true });
  });

  it('parses every expression of the rules and the dashboard with Prometheus’s grammar', () => {
    const expressions = [...alertExpressions(rules), ...dashboardExpressions()];
    expect(expressions.length).toBeGreaterThan(30);
    for (const e of expressions) expect({ where: e.where, errors: promqlMetricNames(e.expr).errors }).toEqual({ where: e.where, errors: [] });
  });

  it('reports a syntax error, a metric nobody serves, a name outside the checked families, and an expression that selects nothing', () => {
    const exposed = exposedMetricNames(
      '# HELP childledger_x_total x\n# TYPE childledger_x_total counter\nchildledger_x_total{service="a"} 1\n# TYPE childledger_d_seconds histogram\n',
    );
    expect([...exposed].sort()).toEqual([
      'childledger_d_seconds',
      'childledger_d_seconds_bucket',
      'childledger_d_seconds_count',
      'childledger_d_seconds_sum',
      'childledger_x_total',
    ]);
    expect(
      metricProblems(
        [
          { where: 'ok', expr: 'sum(rate(childledger_x_total[$__rate_interval])) / sum(rate(childledger_d_seconds_count[5m])) and on() up == 1' },
          { where: 'broken', expr: 'sum(rate(childledger_x_total[5m])' },
          { where: 'unknown', expr: 'childledger_y_total{route="childledger_x_total"} > 0' },
          { where: 'foreign', expr: 'http_requests_total > 0' },
          { where: 'constant', expr: 'vector(1)' },
        ],
        exposed,
      ),
    ).toEqual([
      expect.stringMatching(/^broken: syntax error at/),
      'unknown: no service serves childledger_y_total',
      'foreign: http_requests_total is neither a ChildLedger (childledger_*) nor a process metric',
      'constant: selects no metric',
    ]);
  });

  it('reads sample values by labels (and refuses an ambiguous match)', () => {
    const page = 'a_total{route="/x/:id",status="200"} 3\na_total{route="/y",status="200"} 4\nb 1.5\n';
    expect(parseSamples(page)).toHaveLength(3);
    expect(sampleValue(page, 'a_total', { route: '/x/:id' })).toBe(3);
    expect(sampleValue(page, 'b')).toBe(1.5);
    expect(sampleValue(page, 'a_total', { route: '/z' })).toBeUndefined();
    expect(() => sampleValue(page, 'a_total', { status: '200' })).toThrow(/2 series/);
  });
});

// Prometheus's own checker, where it is installed (Debian's prometheus package ships it; PROMTOOL
// may name it): the rules load, and deploy/observability/alerts.test.yaml's cases (each alert
// firing after its `for` on the series meant to fire it, silent on a quiet platform) pass.
const promtool = process.env['PROMTOOL'] || (spawnSync('promtool', ['--version']).status === 0 ? 'promtool' : undefined);
(promtool ? describe : describe.skip)('deploy/observability with promtool', () => {
  const run = (...args: string[]) => spawnSync(promtool!, args, { cwd: path.join(root, 'deploy/observability'), encoding: 'utf8' });

  it('loads every rule', () => {
    const r = run('check', 'rules', 'alerts.yaml');
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.stringContaining(`SUCCESS: ${alertRules().length} rules found`) });
  });

  it('fires each tested alert when it should and not before', () => {
    const r = run('test', 'rules', 'alerts.test.yaml');
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
  });
});

describe('metrics ports in deploy/k8s and deploy/compose.yml', () => {
  const rendered: Record<string, K8sObject[]> = {};
  beforeAll(() => {
    const kubectl = resolveKubectl();
    for (const overlay of ['dev', 'prod']) rendered[overlay] = parseManifests(kustomize(path.join(root, 'deploy/k8s/overlays', overlay), kubectl));
  }, 180_000);

  it.each(['dev', 'prod'])('%s: every service listens on METRICS_PORT, named metrics, annotated for scraping, with a Service port', (overlay) => {
    const objects = rendered[overlay]!;
    for (const name of Object.keys(SERVICES)) {
      const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name) as any;
      if (!d) continue;
      const c = d.spec.template.spec.containers[0];
      const annotations = d.spec.template.metadata.annotations ?? {};
      const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === name) as any;
      expect({
        name,
        env: c.env.find((e: any) => e.name === 'METRICS_PORT')?.value,
        port: c.ports.find((p: any) => p.name === 'metrics')?.containerPort,
        scrape: annotations['prometheus.io/scrape'],
        annotatedPort: annotations['prometheus.io/port'],
        path: annotations['prometheus.io/path'],
        servicePort: service.spec.ports.find((p: any) => p.name === 'metrics')?.targetPort,
      }).toEqual({
        name,
        env: String(METRICS_PORT),
        port: METRICS_PORT,
        scrape: 'true',
        annotatedPort: String(METRICS_PORT),
        path: '/metrics',
        servicePort: 'metrics',
      });
    }
  });

  it.each(['dev', 'prod'])('%s: only the monitoring namespace reaches the metrics port, and the Ingress never routes to it', (overlay) => {
    const objects = rendered[overlay]!;
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as any[];
    const opening = policies.filter((p) =>
      (p.spec.ingress ?? []).some((rule: any) => (rule.ports ?? []).some((port: any) => port.port === 'metrics' || port.port === METRICS_PORT)),
    );
    expect(opening.map((p) => p.metadata.name)).toEqual(['metrics-from-monitoring']);
    const rules = opening[0].spec.ingress.filter((rule: any) => rule.ports.some((port: any) => port.port === 'metrics'));
    expect(rules.flatMap((rule: any) => rule.from)).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    // The monitoring namespace gets nothing else from this policy: not the HTTP port.
    expect(opening[0].spec.ingress.flatMap((rule: any) => rule.ports.map((port: any) => port.port))).toEqual(['metrics']);
    const backends = objects
      .filter((o) => o.kind === 'Ingress')
      .flatMap((i: any) => i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service.port)));
    expect(backends.length).toBeGreaterThan(0);
    for (const port of backends) expect(port.name ?? port.number).not.toMatch(/^(metrics|9464)$/);
  });

  it('sets METRICS_PORT for every service of compose, unpublished', () => {
    const compose = load(readFileSync(path.join(root, 'deploy/compose.yml'), 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as any;
    for (const name of Object.keys(SERVICES)) {
      const s = compose.services[name];
      expect({ name, port: s.environment.METRICS_PORT }).toEqual({ name, port: METRICS_PORT });
      expect({ name, published: (s.ports ?? []).some((p: string) => String(p).includes(String(METRICS_PORT))) }).toEqual({ name, published: false });
    }
  });
});

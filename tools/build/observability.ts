// Checking deploy/observability against what the services serve: the PromQL of the alert rules and
// of the Grafana dashboard, parsed with Prometheus's own grammar (@prometheus-io/lezer-promql), the
// metric names they select, and the names a /metrics page (Prometheus text format) exposes.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { load } from 'js-yaml';

// The package's CommonJS build (its exports map has `require`); its type declarations are ESM-only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });

export const OBSERVABILITY_DIR = path.resolve(__dirname, '..', '..', 'deploy', 'observability');

/** A PromQL expression and where it was found ("alert X", "panel Y / A"). */
export interface Expression {
  where: string;
  expr: string;
}

/** The names this test holds to the services: ours, and prom-client's process and Node.js defaults. */
export const CHECKED_NAME = /^(childledger|process|nodejs)_/;

/** Series Prometheus itself makes at each scrape; no service serves them. */
export const SCRAPE_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** Grafana's interval variables stand for a range; a template variable elsewhere in a label value is a string already. */
function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

/** The metric names an expression selects, and its syntax errors (offsets), parsed as Prometheus does. */
export function promqlMetricNames(expr: string): { names: string[]; errors: string[] } {
  const source = withoutGrafanaVariables(expr);
  const names = new Set<string>();
  const errors: string[] = [];
  parser.parse(source).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: ${JSON.stringify(source.slice(Math.max(0, node.from - 20), node.to + 20))}`);
      // A selector's metric name: the Identifier directly under a VectorSelector (label names and functions are other nodes).
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.add(source.slice(node.from, node.to));
      // {__name__="x"}: the name given as a label matcher.
      if (node.name === 'UnquotedLabelMatcher' && /^__name__\s*=\s*"/.test(source.slice(node.from, node.to)))
        names.add(/"([^"]+)"/.exec(source.slice(node.from, node.to))![1]!);
    },
  });
  return { names: [...names], errors };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- walking untyped YAML and JSON */
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(text = readFileSync(path.join(OBSERVABILITY_DIR, 'alerts.yaml'), 'utf8')): AlertRule[] {
  const doc = load(text) as { groups: { name: string; rules: AlertRule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

export function alertExpressions(rules = alertRules()): Expression[] {
  return rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }));
}

/** Every target's expr of every panel (rows' nested panels too), and `label_values(metric, label)` of query variables. */
export function dashboardExpressions(dashboard: any = JSON.parse(readFileSync(path.join(OBSERVABILITY_DIR, 'grafana-dashboard.json'), 'utf8'))): Expression[] {
  const found: Expression[] = [];
  const walk = (panels: any[]) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) if (typeof t.expr === 'string') found.push({ where: `panel "${p.title}" / ${t.refId}`, expr: t.expr });
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  for (const v of dashboard.templating?.list ?? []) {
    const query = typeof v.query === 'string' ? v.query : v.query?.query;
    const m = typeof query === 'string' ? /^label_values\(\s*(.+?)\s*,\s*\w+\s*\)$/.exec(query) : null;
    if (m) found.push({ where: `variable ${v.name}`, expr: m[1]! });
  }
  return found;
}

/**
 * Every sample name a Prometheus text page can carry: each `# TYPE` family (a histogram's
 * _bucket, _sum and _count, a summary's _sum and _count) and each sample line's name.
 */
export function exposedMetricNames(page: string): Set<string> {
  const names = new Set<string>();
  for (const line of page.split('\n')) {
    const type = /^# TYPE (\S+) (\w+)/.exec(line);
    if (type) {
      const [, name, kind] = type;
      names.add(name!);
      if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
      if (kind === 'summary') for (const s of ['_sum', '_count']) names.add(`${name}${s}`);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1]!);
  }
  return names;
}

/** What is wrong with these expressions against what the services serve: syntax errors, and names no service exposes. */
export function metricProblems(expressions: Expression[], exposed: Set<string>): string[] {
  const problems: string[] = [];
  for (const { where, expr } of expressions) {
    const { names, errors } = promqlMetricNames(expr);
    for (const e of errors) problems.push(`${where}: ${e}`);
    if (names.length === 0) problems.push(`${where}: selects no metric`);
    for (const name of names) {
      if (SCRAPE_SERIES.has(name)) continue;
      if (!CHECKED_NAME.test(name)) problems.push(`${where}: ${name} is neither a ChildLedger (childledger_*) nor a process metric`);
      else if (!exposed.has(name)) problems.push(`${where}: no service serves ${name}`);
    }
  }
  return problems;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The sample lines of a Prometheus text page (label values unescaped). */
export function parseSamples(page: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of page.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one series of `name` whose labels include `labels`; undefined when there is none (throws on several). */
export function sampleValue(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = parseSamples(page).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} series of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

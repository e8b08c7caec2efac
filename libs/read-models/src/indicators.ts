import type { Pool } from 'pg';
import { withTransaction } from '@childledger/database';
import { Granularity, periodBounds, periodIndex } from './projections/indicators.projection';

/** A reporting period: a year `2025`, a quarter `2025-Q3` or a month `2025-07`. */
export interface Period {
  label: string;
  from: string;
  to: string;
}

export function parsePeriod(label: string): Period | null {
  const m = /^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/.exec(label);
  if (!m) return null;
  const year = Number(m[1]);
  const [from, to] = m[2] ? periodBounds('Q', year * 4 + Number(m[2]) - 1) : m[3] ? periodBounds('M', year * 12 + Number(m[3]) - 1) : periodBounds('Y', year);
  return { label, from, to };
}

export const INDICATORS = [
  'sc_children',
  'sc_rate',
  'sc_supported_share',
  'at_risk_children',
  'at_risk_supported_share',
  'cases_opened',
  'cases_closed',
  'assessed_on_time_share',
  'national_id_linked_share',
] as const;
export type IndicatorName = (typeof INDICATORS)[number];

export interface IndicatorValue {
  indicator: IndicatorName;
  /** A count, or a share/rate in percent (2 decimals); null when suppressed or undefined (no denominator). */
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  suppressed: boolean;
  target: number | null;
}

export interface IndicatorRequest {
  /** A province (2 digits) or commune (5 digits) code of the units in force on `unitsOn`. */
  unitCode: string;
  /** The province of `unitCode` (itself for a province). */
  provinceCode: string;
  period: Period;
  /** Which unit list: before 2025-07-01 the pre-reform codes, from then on the current ones. */
  oldUnits: boolean;
  /** Counts 1–4 are suppressed (users who may not see individual cases). */
  suppressSmallCounts: boolean;
}

export interface IndicatorResult {
  unitCode: string;
  period: Period;
  units: 'pre_2025' | 'current';
  /** Children on record whose residence on the period's last day is in the unit (merged duplicates excluded). */
  childrenOnRecord: number | null;
  childPopulation: { value: number; version: number } | null;
  indicators: IndicatorValue[];
  referenceVersions: { target: number | null; population: number | null };
}

export const SUPPRESSION_THRESHOLD = 5;

/**
 * Computes every indicator for one unit and period, as docs/indicators.md defines them. A child
 * counts in the unit of its residence on the period's last day (effective dates), in the unit
 * list asked for.
 */
export async function computeIndicators(pool: Pool, req: IndicatorRequest): Promise<IndicatorResult> {
  const res = await pool.query<Record<string, string>>(indicatorSumSql(req.unitCode.length === 5), indicatorSumParams(req));
  return presentIndicators(pool, req, res.rows[0]!);
}

/**
 * The sums of the `indicators` projection's deltas (rm_indicator_deltas) for a unit, over every
 * period of the granularity up to and including the one asked for: one index range on the
 * primary key, a few rows per commune and change period, whatever the size of the log.
 */
function indicatorSumSql(commune: boolean): string {
  return `SELECT coalesce(sum(children), 0) AS children, coalesce(sum(sc), 0) AS sc, coalesce(sum(sc_supported), 0) AS sc_supported,
                 coalesce(sum(ar), 0) AS ar, coalesce(sum(ar_supported), 0) AS ar_supported, coalesce(sum(opened), 0) AS opened,
                 coalesce(sum(closed), 0) AS closed, coalesce(sum(assessed), 0) AS assessed,
                 coalesce(sum(assessed_on_time), 0) AS assessed_on_time, coalesce(sum(nid), 0) AS nid
            FROM rm_indicator_deltas
           WHERE granularity = $1 AND units = $2 AND province_code = $3 ${commune ? 'AND commune_code = $5' : ''} AND period_index <= $4`;
}

function indicatorSumParams(req: IndicatorRequest): unknown[] {
  const g = granularityOf(req.period);
  const params: unknown[] = [g, req.oldUnits ? 'pre_2025' : 'current', req.provinceCode, periodIndex(g, req.period.from)];
  if (req.unitCode.length === 5) params.push(req.unitCode);
  return params;
}

export function granularityOf(period: Period): Granularity {
  return /^\d{4}$/.test(period.label) ? 'Y' : /Q/.test(period.label) ? 'Q' : 'M';
}

/** Turns the counts into the indicator values (shares, suppression, targets, population). */
export async function presentIndicators(pool: Pool, req: IndicatorRequest, counts: Record<string, string | number>): Promise<IndicatorResult> {
  const r = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]));
  const reference = await referenceValues(pool, req.unitCode, req.period.label);
  const population = reference.population;
  const small = (n: number | null) => req.suppressSmallCounts && n !== null && n > 0 && n < SUPPRESSION_THRESHOLD;
  const count = (indicator: IndicatorName, n: number): IndicatorValue => ({
    indicator,
    value: small(n) ? null : n,
    numerator: small(n) ? null : n,
    denominator: null,
    suppressed: small(n),
    target: reference.targets.get(indicator) ?? null,
  });
  const share = (indicator: IndicatorName, num: number, den: number | null): IndicatorValue => {
    const suppressed = small(num) || small(den);
    return {
      indicator,
      value: suppressed || !den ? null : Math.round((10000 * num) / den) / 100,
      numerator: suppressed ? null : num,
      denominator: suppressed ? null : den,
      suppressed,
      target: reference.targets.get(indicator) ?? null,
    };
  };
  return {
    unitCode: req.unitCode,
    period: req.period,
    units: req.oldUnits ? 'pre_2025' : 'current',
    childrenOnRecord: small(r['children']!) ? null : r['children']!,
    childPopulation: population,
    indicators: [
      count('sc_children', r['sc']!),
      share('sc_rate', r['sc']!, population?.value ?? null),
      share('sc_supported_share', r['sc_supported']!, r['sc']!),
      count('at_risk_children', r['ar']!),
      share('at_risk_supported_share', r['ar_supported']!, r['ar']!),
      count('cases_opened', r['opened']!),
      count('cases_closed', r['closed']!),
      share('assessed_on_time_share', r['assessed_on_time']!, r['assessed']!),
      share('national_id_linked_share', r['nid']!, r['children']!),
    ],
    referenceVersions: { target: reference.targetVersion, population: population?.version ?? null },
  };
}

async function referenceValues(pool: Pool, unitCode: string, period: string) {
  const res = await pool.query<{ kind: string; indicator: string; value: string; version: number }>(
    `SELECT DISTINCT ON (kind, indicator) kind, indicator, value::text AS value, version
       FROM indicator_reference_values WHERE unit_code = $1 AND period = $2
      ORDER BY kind, indicator, version DESC`,
    [unitCode, period],
  );
  const targets = new Map<string, number>();
  let population: { value: number; version: number } | null = null;
  let targetVersion: number | null = null;
  for (const row of res.rows) {
    if (row.kind === 'population') population = { value: Number(row.value), version: row.version };
    else {
      targets.set(row.indicator, Number(row.value));
      targetVersion = Math.max(targetVersion ?? 0, row.version);
    }
  }
  return { targets, population, targetVersion };
}

export type ReferenceKind = 'target' | 'population';

export interface ReferenceRow {
  unitCode: string;
  period: string;
  indicator: string;
  value: number;
}

/** Stores one uploaded CSV as a new version of targets or populations; returns the version. */
export async function storeReferenceVersion(pool: Pool, kind: ReferenceKind, rows: readonly ReferenceRow[], loadedBy: string): Promise<number> {
  return withTransaction(pool, async (client) => {
    // One version at a time per kind: the lock serialises concurrent uploads.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`indicator_reference:${kind}`]);
    const v = await client.query<{ v: number }>('SELECT coalesce(max(version), 0) + 1 AS v FROM indicator_reference_versions WHERE kind = $1', [kind]);
    const version = v.rows[0]!.v;
    await client.query('INSERT INTO indicator_reference_versions (kind, version, loaded_by, row_count) VALUES ($1, $2, $3, $4)', [
      kind,
      version,
      loadedBy,
      rows.length,
    ]);
    await client.query(
      `INSERT INTO indicator_reference_values (kind, version, unit_code, period, indicator, value)
       SELECT $1, $2, r.unit_code, r.period, r.indicator, r.value FROM jsonb_to_recordset($3) AS r(unit_code text, period text, indicator text, value numeric)`,
      [kind, version, JSON.stringify(rows.map((r) => ({ unit_code: r.unitCode, period: r.period, indicator: r.indicator, value: r.value })))],
    );
    return version;
  });
}

import type { Pool, QueryResult } from 'pg';

/** A reporting period: a year `2025`, a quarter `2025-Q3` or a month `2025-07`. */
export interface Period {
  label: string;
  from: string;
  to: string;
}

export function parsePeriod(label: string): Period | null {
  let m = /^(\d{4})$/.exec(label);
  if (m) return { label, from: `${m[1]}-01-01`, to: `${m[1]}-12-31` };
  m = /^(\d{4})-Q([1-4])$/.exec(label);
  if (m) {
    const q = Number(m[2]);
    const fromMonth = (q - 1) * 3 + 1;
    return { label, from: `${m[1]}-${String(fromMonth).padStart(2, '0')}-01`, to: lastDay(Number(m[1]), fromMonth + 2) };
  }
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(label);
  if (m) return { label, from: `${m[1]}-${m[2]}-01`, to: lastDay(Number(m[1]), Number(m[2])) };
  return null;
}

function lastDay(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
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
  const commune = req.oldUnits ? 'old_commune_code' : 'commune_code';
  const province = req.oldUnits ? 'old_province_code' : 'province_code';
  const unitColumn = req.unitCode.length === 2 ? province : commune;
  const { from, to } = req.period;
  // The per-child grouping of a province holds tens of thousands of groups: with the default
  // work_mem it spills to disk. Raised for this one read-only transaction only.
  const client = await pool.connect();
  let res: QueryResult<Record<string, string>>;
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL work_mem = '64MB'`);
    res = await client.query<Record<string, string>>(
      // One grouped pass (a hash aggregate) per child who ever lived in the province, over its
      // spells starting by the period's end and its case facts in the period: the residence on the
      // period's last day, whether a circumstance, risk or national-ID spell applies, and the case
      // facts of the period. Merged duplicates are left out through the (short) list of merged ids.
      `WITH per_child AS (
         SELECT x.child_id,
                -- The residence spell with the latest start on or before the last day (on equal starts,
                -- the one ending last; open = 9999-12-31): the greatest 'from|to|unit' text, so the
                -- grouping needs no sort.
                substr(max(to_char(x.effective_from, 'YYYY-MM-DD') || to_char(coalesce(x.effective_to, date '9999-12-31'), 'YYYY-MM-DD') || coalesce(x.unit, ''))
                   FILTER (WHERE x.kind = 'residence' AND x.effective_from <= $2::date), 21) AS unit,
                bool_or(x.kind = 'circumstance' AND x.effective_from <= $2::date AND (x.effective_to IS NULL OR x.effective_to >= $1::date)) AS sc,
                bool_or(x.kind = 'risk' AND x.effective_from <= $2::date AND (x.effective_to IS NULL OR x.effective_to >= $1::date)) AS ar,
                bool_or(x.kind = 'national_id' AND x.effective_from <= $2::date AND (x.effective_to IS NULL OR x.effective_to >= $2::date)) AS nid,
                count(*) FILTER (WHERE x.kind = 'fact:opened' AND x.effective_from BETWEEN $1::date AND $2::date) AS opened,
                count(*) FILTER (WHERE x.kind = 'fact:closed' AND x.effective_from BETWEEN $1::date AND $2::date) AS closed,
                count(*) FILTER (WHERE x.kind = 'fact:assessed' AND x.effective_from BETWEEN $1::date AND $2::date) AS assessed,
                count(*) FILTER (WHERE x.kind = 'fact:assessed' AND x.on_time AND x.effective_from BETWEEN $1::date AND $2::date) AS assessed_on_time,
                coalesce(bool_or(x.kind = 'fact:delivered' AND x.effective_from BETWEEN $1::date AND $2::date), false) AS delivered
           FROM (SELECT s.child_id, s.kind, s.effective_from, s.effective_to, s.${unitColumn} AS unit, NULL::boolean AS on_time FROM rm_child_spells s
                 WHERE s.effective_from <= $2::date
                 UNION ALL
                 SELECT f.child_id, 'fact:' || f.kind, f.occurred_on, NULL::date, NULL::text, f.on_time FROM rm_case_facts f
                 WHERE f.occurred_on BETWEEN $1::date AND $2::date) x
          WHERE x.child_id IN (SELECT child_id FROM rm_child_spells WHERE kind = 'residence' AND ${province} = $3)
          GROUP BY x.child_id
       )
       SELECT count(*) AS children,
              count(*) FILTER (WHERE p.sc) AS sc,
              count(*) FILTER (WHERE p.sc AND p.delivered) AS sc_supported,
              count(*) FILTER (WHERE p.ar) AS ar,
              count(*) FILTER (WHERE p.ar AND p.delivered) AS ar_supported,
              coalesce(sum(p.opened), 0) AS opened,
              coalesce(sum(p.closed), 0) AS closed,
              coalesce(sum(p.assessed), 0) AS assessed,
              coalesce(sum(p.assessed_on_time), 0) AS assessed_on_time,
              count(*) FILTER (WHERE p.nid) AS nid
         FROM per_child p
        WHERE p.unit = $4 AND p.child_id NOT IN (SELECT child_id FROM rm_children WHERE status = 'merged')`,
      [from, to, req.provinceCode, req.unitCode],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  const r = Object.fromEntries(Object.entries(res.rows[0]!).map(([k, v]) => [k, Number(v)]));
  const reference = await referenceValues(pool, req.unitCode, req.period.label);
  const population = reference.population;
  const small = (n: number | null) => req.suppressSmallCounts && n !== null && n > 0 && n < SUPPRESSION_THRESHOLD;
  const count = (indicator: IndicatorName, n: number): IndicatorValue => ({
    indicator, value: small(n) ? null : n, numerator: small(n) ? null : n, denominator: null, suppressed: small(n), target: reference.targets.get(indicator) ?? null,
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
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // One version at a time per kind: the lock serialises concurrent uploads.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`indicator_reference:${kind}`]);
    const v = await client.query<{ v: number }>('SELECT coalesce(max(version), 0) + 1 AS v FROM indicator_reference_versions WHERE kind = $1', [kind]);
    const version = v.rows[0]!.v;
    await client.query('INSERT INTO indicator_reference_versions (kind, version, loaded_by, row_count) VALUES ($1, $2, $3, $4)', [kind, version, loadedBy, rows.length]);
    await client.query(
      `INSERT INTO indicator_reference_values (kind, version, unit_code, period, indicator, value)
       SELECT $1, $2, r.unit_code, r.period, r.indicator, r.value FROM jsonb_to_recordset($3) AS r(unit_code text, period text, indicator text, value numeric)`,
      [kind, version, JSON.stringify(rows.map((r) => ({ unit_code: r.unitCode, period: r.period, indicator: r.indicator, value: r.value })))],
    );
    await client.query('COMMIT');
    return version;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

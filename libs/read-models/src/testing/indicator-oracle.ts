import type { Pool, QueryResult } from 'pg';
import { withTransaction } from '@childledger/database';
import { IndicatorRequest, IndicatorResult, presentIndicators } from '../indicators';

/**
 * The indicators computed straight from the children and cases projections' tables (their spells
 * and case facts), child by child: what `computeIndicators` answered before the `indicators`
 * projection existed. Far too slow for a province (it reads every spell of every child who ever
 * lived there), but written independently of the projection's delta arithmetic, so tests use it
 * as the oracle the projection must agree with.
 */
export async function computeIndicatorsFromSpells(pool: Pool, req: IndicatorRequest): Promise<IndicatorResult> {
  const commune = req.oldUnits ? 'old_commune_code' : 'commune_code';
  const province = req.oldUnits ? 'old_province_code' : 'province_code';
  const unitColumn = req.unitCode.length === 2 ? province : commune;
  const { from, to } = req.period;
  // The per-child grouping of a province holds tens of thousands of groups: with the default
  // work_mem it spills to disk. Raised for this one read-only transaction only.
  const res: QueryResult<Record<string, string>> = await withTransaction(
    pool,
    async (client) => {
      await client.query(`SET LOCAL work_mem = '64MB'`);
      return client.query<Record<string, string>>(
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
    },
    { readOnly: true },
  );
  return presentIndicators(pool, req, res.rows[0]!);
}

import type { Pool, QueryResult } from 'pg';
import { withTransaction } from '@childledger/database';
import { IndicatorRequest, IndicatorResult, presentIndicators } from '../indicators';
import { ABUSE_CONCERNS } from '../projections/indicators.projection';

/**
 * The indicators computed straight from the children and cases projections' tables (their spells
 * and case facts), child by child: what `computeIndicators` answered before the `indicators`
 * projection existed. Far too slow for a province (it reads every spell of every child who ever
 * lived there), but written independently of the projection's delta arithmetic, so tests use it
 * as the oracle the projection must agree with.
 *
 * A child counts only on its days as a child (to the day before its 16th birthday, by the date of
 * birth in rm_children, unknown once erased): its status is read on the last such day of the
 * period. Not computed here (those tables do not keep them): the referrals (CaseReferred is not a
 * case fact) and the closures with the situation resolved (a case keeps only its latest outcome),
 * returned as 0; tests compare them against hand-computed histories instead.
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
        // day read, whether a circumstance, risk or national-ID spell applies, and the case facts.
        `WITH kids AS (
           SELECT ch.child_id, (ch.personal->>'dateOfBirth')::date AS dob, (ch.registered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS registered_on,
                  -- The last day of the period on which the child is a child (LEAST ignores a null).
                  LEAST($2::date, ((ch.personal->>'dateOfBirth')::date + interval '16 years')::date - 1) AS e
             FROM rm_children ch
            WHERE ch.status <> 'merged'
              AND ch.child_id IN (SELECT child_id FROM rm_child_spells WHERE kind = 'residence' AND ${province} = $3)
         ),
         x AS (
           -- A merged duplicate's spells (but its residence) and case facts are its survivor's.
           SELECT coalesce(m.merged_into, s.child_id) AS child_id, s.kind, s.grp, s.effective_from, s.effective_to, s.${unitColumn} AS unit, s.outcome, NULL::boolean AS on_time,
                  false AS abuse, NULL::int AS days
             FROM rm_child_spells s LEFT JOIN rm_children m ON m.child_id = s.child_id AND m.status = 'merged'
            WHERE s.effective_from <= $2::date AND (m.child_id IS NULL OR s.kind <> 'residence')
           UNION ALL
           SELECT coalesce(m.merged_into, f.child_id), 'fact:' || f.kind, 0, f.occurred_on, NULL::date, NULL::text, NULL::text, f.on_time,
                  coalesce(c.concern = ANY($5), false),
                  floor(extract(epoch FROM f.occurred_at - GREATEST(c.reported_at,
                    (SELECT max(r.occurred_at) FROM rm_case_facts r WHERE r.case_id = f.case_id AND r.kind = 'reopened' AND r.occurred_at <= f.occurred_at))) / 86400)::int
             FROM rm_case_facts f LEFT JOIN rm_cases c ON c.case_id = f.case_id LEFT JOIN rm_children m ON m.child_id = f.child_id AND m.status = 'merged'
            WHERE f.occurred_on BETWEEN $1::date AND $2::date
         ),
         per_child AS (
           SELECT k.child_id,
                  -- The residence spell with the latest start on or before the day read (on equal starts,
                  -- the one ending last; open = 9999-12-31): the greatest 'from|to|unit' text.
                  substr(max(to_char(x.effective_from, 'YYYY-MM-DD') || to_char(coalesce(x.effective_to, date '9999-12-31'), 'YYYY-MM-DD') || coalesce(x.unit, ''))
                     FILTER (WHERE x.kind = 'residence' AND x.effective_from <= k.e), 21) AS unit,
                  coalesce(bool_or(x.kind = 'circumstance' AND x.effective_from <= k.e AND (x.effective_to IS NULL OR x.effective_to >= $1::date)), false) AS sc,
                  count(DISTINCT (x.grp, x.effective_from)) FILTER (WHERE x.kind = 'circumstance' AND x.grp BETWEEN 9 AND 12 AND x.effective_from BETWEEN $1::date AND k.e) AS abuse_new,
                  coalesce(bool_or(x.kind = 'risk' AND x.effective_from <= k.e AND (x.effective_to IS NULL OR x.effective_to >= $1::date)), false) AS ar,
                  coalesce(bool_or(x.kind = 'risk' AND x.effective_from <= k.e AND x.effective_to BETWEEN $1::date AND k.e AND x.outcome = 'removed_from_risk'), false) AS ar_removed,
                  coalesce(bool_or(x.kind = 'national_id' AND x.effective_from <= k.e AND (x.effective_to IS NULL OR x.effective_to >= k.e)), false) AS nid,
                  count(*) FILTER (WHERE x.kind = 'fact:opened' AND x.effective_from <= k.e) AS opened,
                  count(*) FILTER (WHERE x.kind = 'fact:closed' AND x.effective_from <= k.e) AS closed,
                  count(*) FILTER (WHERE x.kind = 'fact:assessed' AND x.effective_from <= k.e) AS assessed,
                  count(*) FILTER (WHERE x.kind = 'fact:assessed' AND x.on_time AND x.effective_from <= k.e) AS assessed_on_time,
                  count(*) FILTER (WHERE x.kind = 'fact:assessed' AND x.abuse AND x.effective_from <= k.e) AS abuse_assessed,
                  count(*) FILTER (WHERE x.kind = 'fact:assessed' AND x.abuse AND x.on_time AND x.effective_from <= k.e) AS abuse_assessed_on_time,
                  count(*) FILTER (WHERE x.kind = 'fact:delivered' AND x.effective_from <= k.e) AS delivered,
                  count(*) FILTER (WHERE x.kind = 'fact:delivered' AND x.on_time AND x.effective_from <= k.e) AS delivered_on_time,
                  jsonb_agg(x.days) FILTER (WHERE x.kind = 'fact:assessed' AND x.effective_from <= k.e) AS days,
                  bool_or(k.registered_on BETWEEN $1::date AND k.e) AS registered
             FROM kids k JOIN x ON x.child_id = k.child_id
            WHERE (k.dob IS NULL OR k.dob <= $2::date) AND k.e >= $1::date
            GROUP BY k.child_id
         )
         SELECT count(*) AS children,
                count(*) FILTER (WHERE p.sc) AS sc,
                count(*) FILTER (WHERE p.sc AND p.delivered > 0) AS sc_supported,
                coalesce(sum(p.abuse_new), 0) AS abuse_new,
                count(*) FILTER (WHERE p.ar) AS ar,
                count(*) FILTER (WHERE p.ar AND p.delivered > 0) AS ar_supported,
                count(*) FILTER (WHERE p.ar_removed) AS ar_removed,
                coalesce(sum(p.opened), 0) AS opened,
                coalesce(sum(p.closed), 0) AS closed,
                coalesce(sum(p.assessed), 0) AS assessed,
                coalesce(sum(p.assessed_on_time), 0) AS assessed_on_time,
                coalesce(sum(p.abuse_assessed), 0) AS abuse_assessed,
                coalesce(sum(p.abuse_assessed_on_time), 0) AS abuse_assessed_on_time,
                coalesce(sum(p.delivered), 0) AS delivered,
                coalesce(sum(p.delivered_on_time), 0) AS delivered_on_time,
                count(*) FILTER (WHERE p.registered) AS registered,
                count(*) FILTER (WHERE p.registered AND p.nid) AS registered_nid,
                count(*) FILTER (WHERE p.nid) AS nid,
                coalesce(jsonb_agg(p.days) FILTER (WHERE p.days IS NOT NULL), '[]') AS days
           FROM per_child p
          WHERE p.unit = $4`,
        [from, to, req.provinceCode, req.unitCode, ABUSE_CONCERNS],
      );
    },
    { readOnly: true },
  );
  const row = res.rows[0]!;
  const parts = new Map<string, number>();
  for (const list of row['days'] as unknown as (number | null)[][]) {
    for (const d of list) if (d !== null) parts.set(`days:${Math.min(15, Math.max(0, d))}`, (parts.get(`days:${Math.min(15, Math.max(0, d))}`) ?? 0) + 1);
  }
  return presentIndicators(pool, req, row, parts);
}

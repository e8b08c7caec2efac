import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import { Jurisdiction, jurisdictionSql, Params, provinceJurisdiction } from './sql';
import { CHILD_SEARCH_WALK, READ_MODEL_POOL } from './tokens';

export const NATIONAL_ID_STATES = ['none', 'linked', 'review_requested', 'no_record_found'] as const;
export type NationalIdState = (typeof NATIONAL_ID_STATES)[number];

export interface ChildSearchQuery {
  /**
   * The readings of the typed name (`typedNameReadings` of the domain), each folded: a child is
   * found when, for some reading, every word of it starts a word of the child's folded name.
   */
  nameReadings?: readonly string[];
  dateOfBirth?: string;
  birthYear?: number;
  /** A commune in force today (5 digits): the child lives there (or the recorded code may stand for it). */
  communeCode?: string;
  personalId?: string;
  nationalIdState?: NationalIdState;
  /** A special-circumstance group (1–14) the child is in now. */
  group?: number;
  /** Keyset: the child id of the last row of the previous page (its sort key is read from the table). */
  afterChildId?: string;
  limit: number;
}

export interface ChildSearchResultRow {
  child_id: string;
  full_name: string;
  sex: string | null;
  date_of_birth: string | null;
  personal_id: string | null;
  commune_code: string | null;
  province_code: string | null;
  national_id_state: string;
  circumstances: number[];
  risks: number[];
  revision: number;
}

export interface ChildCaseSummaryRow {
  case_id: string;
  status: string;
  opened_at: Date | null;
  closed_at: Date | null;
  next_due_at: Date | null;
}

/** The duplicates merged into the search row `s` (the survivor), as a FROM/WHERE to extend. */
const MERGED = `SELECT 1 FROM rm_children d WHERE d.merged_into = s.child_id AND d.status = 'merged'`;
/** The survivor's groups (or risks) with those of the duplicates merged into it, sorted, without repeats. */
const carried = (column: 'circumstances' | 'risks') =>
  `(SELECT coalesce(array_agg(DISTINCT g ORDER BY g), '{}')::int[] FROM unnest(s.${column} || coalesce((SELECT array_agg(x) FROM rm_children d, unnest(d.${column}) x WHERE d.merged_into = s.child_id AND d.status = 'merged'), '{}')) g)`;

/** The columns a search returns, of the search row `s`. */
const RESULT_COLUMNS = `s.child_id, s.full_name, s.sex, to_char(s.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, s.personal_id, s.commune_code, s.province_code,
       CASE WHEN s.national_id_state <> 'linked' AND EXISTS (${MERGED} AND d.national_id_state = 'linked') THEN 'linked' ELSE s.national_id_state END AS national_id_state,
       ${carried('circumstances')} AS circumstances, ${carried('risks')} AS risks, s.revision`;

/**
 * The page's columns, computed on the page's rows only: PostgreSQL 18 computes the columns of a
 * sorted query on every row before the top ones are kept (with a merged duplicate's lookup per
 * row), so the rows are chosen first, in `rows`, and the columns then.
 */
const pageOf = (rows: string) => `SELECT ${RESULT_COLUMNS} FROM (${rows}) s ORDER BY s.name_folded, s.child_id`;

/**
 * How many of a province's children (in name order, those the other filters leave) a name search
 * walks through first (docs/search.md, "A name many children bear"). Default of CHILD_SEARCH_WALK.
 */
export const NAME_WALK = 5000;

/** The search read model (rm_child_search) and the cases of one child (rm_cases). */
@Injectable()
export class ChildSearchQueries {
  private readonly walk: number;

  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Optional() @Inject(CHILD_SEARCH_WALK) walk?: number,
  ) {
    this.walk = walk ?? NAME_WALK;
    if (!Number.isInteger(this.walk) || this.walk < 0) throw new Error(`child search: the name walk must be a whole number ≥ 0, not ${walk}`);
  }

  /**
   * Active children matching every filter given, in the caller's jurisdiction by current residence
   * (in the SQL, so pages are full), ordered by folded name then id; `limit + 1` rows are asked
   * for by the caller to know whether a next page exists.
   *
   * A name searched by province-level staff is first looked for among the first NAME_WALK children
   * of each province in name order (the province index, read in order and stopped early): enough
   * when the name is common, where the trigram index would have every child bearing it fetched and
   * sorted for one page. When that walk cannot tell the page (a rarer name), the trigram index
   * answers; both give the same rows.
   */
  async search(user: Jurisdiction, q: ChildSearchQuery): Promise<ChildSearchResultRow[]> {
    const readings = (q.nameReadings ?? []).filter((r) => r.trim() !== '');
    const provinces = [...new Set(provinceJurisdiction(user) ?? [])];
    if (readings.length > 0 && provinces.length > 0 && this.walk > 0) {
      const walked = await this.searchByWalk(provinces, readings, q);
      if (walked.length > 0) return walked;
    }
    const p = new Params();
    const where = [`s.status = 'active'`];
    const visible = jurisdictionSql(user, { province: 's.province_code', commune: 's.commune_code', candidates: 's.candidate_communes' }, p.add);
    if (visible) where.push(visible);
    if (readings.length > 0) where.push(nameCondition(readings, p));
    where.push(...filterConditions(q, p));
    const res = await this.pool.query<ChildSearchResultRow>(
      pageOf(`SELECT * FROM rm_child_search s WHERE ${where.join(' AND ')} ORDER BY s.name_folded, s.child_id LIMIT ${p.add(q.limit)}`),
      p.values,
    );
    return res.rows;
  }

  /**
   * The page from each province's first `walk` children in name order that pass the other filters.
   * It is the page only if every province either had fewer children than that (all were seen) or
   * gave `limit` matches among them (a match beyond comes after those): then the first `limit`
   * matches of all the provinces are among these. Otherwise (or when nothing matched) no rows, and
   * the caller asks the trigram index.
   */
  private async searchByWalk(provinces: readonly string[], readings: readonly string[], q: ChildSearchQuery): Promise<ChildSearchResultRow[]> {
    const p = new Params();
    const list = p.add(provinces);
    const walk = p.add(this.walk);
    const limit = p.add(q.limit);
    const where = [`s.province_code = j.province`, `s.status = 'active'`, ...filterConditions(q, p)];
    const name = nameCondition(readings, p);
    const res = await this.pool.query<ChildSearchResultRow>(
      `WITH walk AS MATERIALIZED (
         SELECT s.* FROM unnest(${list}::text[]) AS j(province)
         CROSS JOIN LATERAL (SELECT * FROM rm_child_search s WHERE ${where.join(' AND ')} ORDER BY s.name_folded, s.child_id LIMIT ${walk}) s),
       hit AS MATERIALIZED (SELECT * FROM walk s WHERE ${name}),
       whole AS (
         SELECT coalesce(bool_and(w.n < ${walk} OR coalesce(h.n, 0) >= ${limit}), true) AS ok
           FROM (SELECT province_code, count(*) AS n FROM walk GROUP BY province_code) w
           LEFT JOIN (SELECT province_code, count(*) AS n FROM hit GROUP BY province_code) h USING (province_code))
       ${pageOf(`SELECT * FROM hit s WHERE (SELECT ok FROM whole) ORDER BY s.name_folded, s.child_id LIMIT ${limit}`)}`,
      p.values,
    );
    return res.rows;
  }

  /** The cases of a child and of the duplicates merged into it (newest first, at most `limit`), for the child's page. */
  async casesOfChildren(childIds: readonly string[], limit: number): Promise<ChildCaseSummaryRow[]> {
    const res = await this.pool.query<ChildCaseSummaryRow>(
      `SELECT case_id, status, opened_at, closed_at, next_due_at FROM rm_cases WHERE child_id = ANY($1::text[]) ORDER BY opened_at DESC NULLS LAST, case_id LIMIT $2`,
      [childIds, limit],
    );
    return res.rows;
  }
}

/** Each word of some reading as the start of a word of ' ' + folded name: LIKE served by the trigram index. */
function nameCondition(readings: readonly string[], p: Params): string {
  const alternatives = readings.map(
    (r) =>
      `(${r
        .trim()
        .split(/\s+/)
        .map((w) => `s.name_folded LIKE ${p.add(`% ${w}%`)}`)
        .join(' AND ')})`,
  );
  return `(${alternatives.join(' OR ')})`;
}

/** The search's conditions other than the name and the jurisdiction, on the search row `s`. */
function filterConditions(q: ChildSearchQuery, p: Params): string[] {
  const where: string[] = [];
  if (q.dateOfBirth) where.push(`s.date_of_birth = ${p.add(q.dateOfBirth)}::date`);
  if (q.birthYear !== undefined)
    where.push(`s.date_of_birth >= ${p.add(`${q.birthYear}-01-01`)}::date AND s.date_of_birth < ${p.add(`${q.birthYear + 1}-01-01`)}::date`);
  if (q.communeCode) {
    const c = p.add(q.communeCode);
    where.push(`(CASE WHEN cardinality(s.candidate_communes) > 0 THEN s.candidate_communes && ARRAY[${c}::text] ELSE s.commune_code = ${c} END)`);
  }
  if (q.personalId) where.push(`s.personal_id = ${p.add(q.personalId)}`);
  // A survivor is found by the facts of the duplicates merged into it too (rm_children_merged_into_idx).
  const orMerged = (condition: (alias: string) => string) => `(${condition('s')} OR EXISTS (${MERGED} AND ${condition('d')}))`;
  if (q.nationalIdState === 'linked') where.push(orMerged((a) => `${a}.national_id_state = 'linked'`));
  else if (q.nationalIdState) {
    const state = p.add(q.nationalIdState);
    // Another state: the survivor's own, unless a merged duplicate brought it a link.
    where.push(`s.national_id_state = ${state} AND NOT EXISTS (${MERGED} AND d.national_id_state = 'linked')`);
  }
  if (q.group !== undefined) {
    const group = p.add(q.group);
    where.push(orMerged((a) => `${a}.circumstances @> ARRAY[${group}::smallint]`));
  }
  if (q.afterChildId) {
    const after = p.add(q.afterChildId);
    where.push(`(s.name_folded, s.child_id) > (SELECT a.name_folded, a.child_id FROM rm_child_search a WHERE a.child_id = ${after})`);
  }
  return where;
}

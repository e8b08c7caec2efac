/** Who is asking, as the queries need it: role and units (the platform's AuthenticatedUser has this shape). */
export interface Jurisdiction {
  role: string;
  /** 2-digit province codes. */
  provinces: readonly string[];
  /** 5-digit commune codes; empty for province-level staff. */
  communes: readonly string[];
}

/** Bound parameters of one statement: `add` returns the placeholder (`$1`, `$2`...). */
export class Params {
  readonly values: unknown[] = [];
  add = (value: unknown): string => {
    this.values.push(value);
    return `$${this.values.length}`;
  };
}

/** An instant as a cursor keeps it: UTC with microseconds (a JS Date would drop them). */
export const sqlInstant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The provinces of province-level staff (no communes in their jurisdiction), whom jurisdictionSql filters by province; null for the admin and commune staff. */
export function provinceJurisdiction(user: Jurisdiction): readonly string[] | null {
  return user.role !== 'admin' && user.communes.length === 0 ? user.provinces : null;
}

/**
 * The SQL form of the query API's `mayAccess` for rows with a province, a commune and, where the
 * recorded code stands for several communes, candidate communes: filtering in the query keeps
 * pages full (a filter applied after LIMIT returns short pages while more visible rows exist).
 * `param` adds a bound parameter and returns its placeholder. Null: no condition (admin).
 */
export function jurisdictionSql(
  user: Jurisdiction,
  cols: { province: string; commune: string; candidates?: string },
  param: (v: unknown) => string,
): string | null {
  if (user.role === 'admin') return null;
  const provinces = provinceJurisdiction(user);
  if (provinces) return `${cols.province} = ANY(${param(provinces)}::text[])`;
  const communes = param(user.communes);
  const byCommune = `${cols.commune} = ANY(${communes}::text[])`;
  const matches = cols.candidates
    ? `(CASE WHEN cardinality(${cols.candidates}) > 0 THEN ${cols.candidates} && ${communes}::text[] ELSE ${byCommune} END)`
    : byCommune;
  return `(${cols.province} IS NOT NULL AND ${matches})`;
}

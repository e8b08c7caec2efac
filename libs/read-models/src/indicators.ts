import type { Pool } from 'pg';
import { withTransaction } from '@childledger/database';
import {
  AGE_BANDS,
  CONTRIBUTION_FIELDS,
  ContributionField,
  Granularity,
  PART_COLUMNS,
  periodBounds,
  periodIndex,
  REFERRAL_SECTORS,
} from './projections/indicators.projection';

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

/** The label of period `k` of granularity `g` (2025, 2025-Q3, 2025-07). */
export function periodLabel(g: Granularity, k: number): string {
  if (g === 'Y') return String(k);
  if (g === 'Q') return `${Math.floor(k / 4)}-Q${(k % 4) + 1}`;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

export function granularityOf(period: Period): Granularity {
  return /^\d{4}$/.test(period.label) ? 'Y' : /Q/.test(period.label) ? 'Q' : 'M';
}

/** The periods from `from` to `to` inclusive, both of granularity `g`. */
export function periodSeries(g: Granularity, from: Period, to: Period): Period[] {
  const out: Period[] = [];
  for (let k = periodIndex(g, from.from); k <= periodIndex(g, to.from); k++) out.push(parsePeriod(periodLabel(g, k))!);
  return out;
}

export type IndicatorUnit = 'count' | 'percent' | 'days';
/** Whether the target is a floor (share supported: at least 98 %) or a ceiling (rate: at most 0.7 %; abuse cases: falling). */
export type TargetDirection = 'at_least' | 'at_most';

export interface IndicatorDefinition {
  indicator: string;
  unit: IndicatorUnit;
  direction: TargetDirection;
  labelVi: string;
  labelEn: string;
  /** Reported per special-circumstance group (by=group). */
  byGroup: boolean;
}

const def = (indicator: string, unit: IndicatorUnit, direction: TargetDirection, labelVi: string, labelEn: string, byGroup = false): IndicatorDefinition => ({
  indicator,
  unit,
  direction,
  labelVi,
  labelEn,
  byGroup,
});

const SECTOR_VI: Record<(typeof REFERRAL_SECTORS)[number], string> = {
  health: 'y tế',
  education: 'giáo dục',
  justice: 'tư pháp',
  public_security: 'công an',
  social_affairs: 'lao động - xã hội',
  other: 'khác',
};

/** Every indicator, in report order; docs/indicators.md defines each. */
export const INDICATOR_DEFINITIONS: readonly IndicatorDefinition[] = [
  def('sc_children', 'count', 'at_most', 'Số trẻ em có hoàn cảnh đặc biệt', 'Children in special circumstances', true),
  def(
    'sc_rate',
    'percent',
    'at_most',
    'Tỷ lệ trẻ em có hoàn cảnh đặc biệt trên tổng số trẻ em',
    'Rate of children in special circumstances among all children',
  ),
  def(
    'sc_supported_share',
    'percent',
    'at_least',
    'Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp, chăm sóc',
    'Share of children in special circumstances supported',
    true,
  ),
  def('abuse_new_cases', 'count', 'at_most', 'Số trường hợp trẻ em bị xâm hại mới (nhóm 9–12)', 'New cases of abuse (groups 9–12)', true),
  def('at_risk_children', 'count', 'at_most', 'Số trẻ em có nguy cơ rơi vào hoàn cảnh đặc biệt', 'Children at risk', true),
  def('at_risk_supported_share', 'percent', 'at_least', 'Tỷ lệ trẻ em có nguy cơ được hỗ trợ, can thiệp', 'Share of children at risk supported'),
  def('at_risk_removed', 'count', 'at_least', 'Số trẻ em được đưa ra khỏi nguy cơ', 'Children removed from risk'),
  def('at_risk_removed_share', 'percent', 'at_least', 'Tỷ lệ trẻ em có nguy cơ được đưa ra khỏi nguy cơ', 'Share of children at risk removed from risk'),
  def('cases_opened', 'count', 'at_most', 'Số ca tiếp nhận', 'Cases opened'),
  def('cases_closed', 'count', 'at_least', 'Số ca đóng', 'Cases closed'),
  def(
    'cases_resolved_share',
    'percent',
    'at_least',
    'Tỷ lệ ca đóng khi tình trạng của trẻ đã được giải quyết',
    'Share of cases closed with the situation resolved',
  ),
  def('assessed_on_time_share', 'percent', 'at_least', 'Tỷ lệ ca được đánh giá đúng hạn', 'Share of assessments on time'),
  def(
    'abuse_assessed_on_time_share',
    'percent',
    'at_least',
    'Tỷ lệ tin báo xâm hại được đánh giá đúng hạn',
    'Share of abuse reports assessed within their deadline',
  ),
  def('median_days_to_assessment', 'days', 'at_most', 'Số ngày trung vị từ tin báo đến đánh giá', 'Median days from report to assessment'),
  def('interventions_on_time_share', 'percent', 'at_least', 'Tỷ lệ can thiệp thực hiện đúng kế hoạch', 'Share of interventions delivered on time'),
  def('referrals', 'count', 'at_least', 'Số lần chuyển tuyến sang ngành khác', 'Referrals to other sectors'),
  ...REFERRAL_SECTORS.map((s) => def(`referrals_${s}`, 'count', 'at_least', `Số lần chuyển tuyến: ${SECTOR_VI[s]}`, `Referrals: ${s.replace('_', ' ')}`)),
  def('children_registered', 'count', 'at_least', 'Số trẻ em được đăng ký mới', 'Children registered'),
  def(
    'registered_national_id_share',
    'percent',
    'at_least',
    'Tỷ lệ trẻ đăng ký mới được liên kết số định danh cá nhân',
    'Share of children registered linked to a national ID',
  ),
  def('national_id_linked_share', 'percent', 'at_least', 'Tỷ lệ trẻ em được liên kết số định danh cá nhân', 'Share of children linked to a national ID'),
];

export const INDICATORS = INDICATOR_DEFINITIONS.map((d) => d.indicator);
export type IndicatorName = string;
const DEFINITIONS = new Map(INDICATOR_DEFINITIONS.map((d) => [d.indicator, d]));

export interface IndicatorValue {
  indicator: IndicatorName;
  unit: IndicatorUnit;
  /** A count, a share/rate in percent (2 decimals) or days; null when suppressed or undefined (no denominator). */
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  suppressed: boolean;
  target: number | null;
  /** value − target (2 decimals); null without both. */
  gap: number | null;
  /** Whether the value meets the target in its direction; null without both. */
  met: boolean | null;
}

/** Breakdown dimensions: `province` only for the whole country, `commune` only for a province. */
export const DIMENSIONS = ['province', 'commune', 'sex', 'ageBand', 'group'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface IndicatorRequest {
  /** A province (2 digits) or commune (5 digits) code of the units in force on `unitsOn`, or `VN` (the whole country). */
  unitCode: string;
  /** The province of `unitCode` (itself for a province); null for the whole country. */
  provinceCode: string | null;
  period: Period;
  /** Which unit list: before 2025-07-01 the pre-reform codes, from then on the current ones. */
  oldUnits: boolean;
  /** Counts 1–4 are suppressed (users who may not see individual cases). */
  suppressSmallCounts: boolean;
  by?: readonly Dimension[];
  /** With by=commune (or province): every unit to list, with zeros where nothing is recorded. */
  breakdownUnits?: readonly string[];
  /**
   * The codes of the other unit list whose uploaded targets and populations stand for a unit (the
   * 2025 reorganisation): used for the periods whose values were uploaded in the other list (a
   * period ending before 2025-07-01 has pre-2025 codes); absent: the unit's own code.
   */
  referenceCodes?: Readonly<Record<string, ReferenceCodes>>;
}

/**
 * The units of the other list whose targets and populations stand for a unit. `additive`: each of
 * them lies wholly inside the unit (old units merged into a new one), so counts and populations add
 * up; otherwise the unit is part of a larger one and only share, rate and median targets carry over.
 */
export interface ReferenceCodes {
  codes: readonly string[];
  additive: boolean;
}

export interface BreakdownKey {
  province?: string;
  commune?: string;
  sex?: string;
  ageBand?: string;
  group?: number;
}

export interface BreakdownRow {
  key: BreakdownKey;
  childrenOnRecord: number | null;
  childPopulation: number | null;
  indicators: IndicatorValue[];
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
  /** Present when `by` was asked: one row per combination of the dimensions. */
  by?: Dimension[];
  breakdown?: BreakdownRow[];
}

export interface IndicatorSeriesResult {
  unitCode: string;
  units: 'pre_2025' | 'current';
  granularity: 'year' | 'quarter' | 'month';
  from: string;
  to: string;
  points: IndicatorResult[];
}

export const SUPPRESSION_THRESHOLD = 5;

/** The sums for one cell: the contribution fields and the parts (`sc:3`, `ref:health`, `days:2`, …). */
export interface Counts {
  main: Record<ContributionField, number>;
  parts: Map<string, number>;
}

const emptyCounts = (): Counts => ({
  main: Object.fromEntries(CONTRIBUTION_FIELDS.map((f) => [f, 0])) as Record<ContributionField, number>,
  parts: new Map(),
});

const DIM_COLUMN: Record<Exclude<Dimension, 'group'>, string> = { province: 'province_code', commune: 'commune_code', sex: 'sex', ageBand: 'age_band' };

/**
 * Computes every indicator for one unit and period, as docs/indicators.md defines them, with the
 * breakdown asked for. A child counts in the unit of its residence on the period's last day (or
 * on its last day as a child), in the unit list asked for.
 */
export async function computeIndicators(pool: Pool, req: IndicatorRequest): Promise<IndicatorResult> {
  const [point] = await computePoints(pool, req, [req.period]);
  return point!;
}

/** The same for a series of periods of one granularity (trends), in one pass over the table. */
export async function computeIndicatorSeries(pool: Pool, req: IndicatorRequest, periods: readonly Period[]): Promise<IndicatorSeriesResult> {
  const g = granularityOf(periods[0] ?? req.period);
  return {
    unitCode: req.unitCode,
    units: req.oldUnits ? 'pre_2025' : 'current',
    granularity: g === 'Y' ? 'year' : g === 'Q' ? 'quarter' : 'month',
    from: periods[0]?.label ?? req.period.label,
    to: periods[periods.length - 1]?.label ?? req.period.label,
    points: await computePoints(pool, req, periods),
  };
}

/**
 * The points asked for, suppressed for users who may not see individual cases: a month or quarter
 * is computed with every other month or quarter of its year, so that the cells hidden in it are the
 * same whichever periods a request asks for.
 */
async function computePoints(pool: Pool, req: IndicatorRequest, periods: readonly Period[]): Promise<IndicatorResult[]> {
  const g = granularityOf(periods[0]!);
  if (!req.suppressSmallCounts) return computeRaw(pool, req, periods);
  let all = [...periods];
  if (g !== 'Y') {
    const years = [...new Set(periods.map((p) => Number(p.label.slice(0, 4))))];
    all = years.flatMap((y) =>
      periodSeries(g, parsePeriod(periodLabel(g, periodIndex(g, `${y}-01-01`)))!, parsePeriod(periodLabel(g, periodIndex(g, `${y}-12-31`)))!),
    );
  }
  const points = await computeRaw(pool, req, all);
  suppressPoints(points, g);
  const byLabel = new Map(points.map((p) => [p.period.label, p]));
  return periods.map((p) => byLabel.get(p.label)!);
}

async function computeRaw(pool: Pool, req: IndicatorRequest, periods: readonly Period[]): Promise<IndicatorResult[]> {
  const g = granularityOf(periods[0]!);
  const dims = (req.by ?? []).filter((d): d is Exclude<Dimension, 'group'> => d !== 'group');
  const ks = periods.map((p) => periodIndex(g, p.from));
  const series = periods.length > 1;
  const { cells, parts } = await readSums(pool, req, g, dims, Math.max(...ks), series);
  // Per cell key (the dimensions' values), the running sums up to each period asked for.
  const at = (rows: { k: number; key: string }[], apply: (row: number, into: Counts) => void): Map<string, Counts>[] => {
    const out = ks.map(() => new Map<string, Counts>());
    const order = rows.map((r, i) => [r.k, i] as const).sort((a, b) => a[0] - b[0]);
    const running = new Map<string, Counts>();
    let j = 0;
    const sortedKs = ks.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0]);
    for (const [k, idx] of sortedKs) {
      while (j < order.length && order[j]![0] <= k) {
        const i = order[j]![1];
        const key = rows[i]!.key;
        let c = running.get(key);
        if (!c) running.set(key, (c = emptyCounts()));
        apply(i, c);
        j++;
      }
      for (const [key, c] of running) out[idx]!.set(key, { main: { ...c.main }, parts: new Map(c.parts) });
    }
    return out;
  };
  const all = [...cells.map((r, i) => ({ k: r.k, key: r.key, src: 'c' as const, i })), ...parts.map((r, i) => ({ k: r.k, key: r.key, src: 'p' as const, i }))];
  const perPeriod = at(all, (row, into) => {
    const r = all[row]!;
    if (r.src === 'c') {
      const c = cells[r.i]!;
      for (const f of CONTRIBUTION_FIELDS) into.main[f] += c.main[f];
    } else {
      const p = parts[r.i]!;
      into.parts.set(p.part, (into.parts.get(p.part) ?? 0) + p.n);
    }
  });
  const codes = new Set<string>([req.unitCode]);
  const unitDim = dims.find((d) => d === 'commune' || d === 'province');
  for (const u of req.breakdownUnits ?? []) codes.add(u);
  const out: IndicatorResult[] = [];
  // Every period's targets and populations in one query.
  const references = await referenceValuesFor(
    pool,
    [...codes],
    periods.map((p) => p.label),
    req.referenceCodes,
    req.oldUnits,
  );
  for (let i = 0; i < periods.length; i++) {
    const period = periods[i]!;
    const reference = references.get(period.label)!;
    const byKey = perPeriod[i]!;
    const total = emptyCounts();
    for (const c of byKey.values()) addCounts(total, c);
    const own = reference.get(req.unitCode);
    const result: IndicatorResult = {
      unitCode: req.unitCode,
      period,
      units: req.oldUnits ? 'pre_2025' : 'current',
      childrenOnRecord: total.main.children,
      childPopulation: own?.population ?? null,
      indicators: presentValues(total, own?.population?.value ?? null, own?.targets ?? new Map()),
      referenceVersions: { target: own?.targetVersion ?? null, population: own?.population?.version ?? null },
    };
    if (req.by?.length) {
      result.by = [...req.by];
      result.breakdown = breakdownRows(req, dims, unitDim, byKey, reference);
    }
    out.push(result);
  }
  return out;
}

function addCounts(into: Counts, c: Counts): void {
  for (const f of CONTRIBUTION_FIELDS) into.main[f] += c.main[f];
  for (const [k, n] of c.parts) into.parts.set(k, (into.parts.get(k) ?? 0) + n);
}

function breakdownRows(
  req: IndicatorRequest,
  dims: Exclude<Dimension, 'group'>[],
  unitDim: 'commune' | 'province' | undefined,
  byKey: Map<string, Counts>,
  reference: Map<string, Reference>,
): BreakdownRow[] {
  // Every combination that the dimensions can take: listed units, both sexes and unknown, the bands.
  const values: Record<Exclude<Dimension, 'group'>, readonly string[]> = {
    province: req.breakdownUnits ?? [],
    commune: req.breakdownUnits ?? [],
    sex: ['F', 'M', 'unknown'],
    ageBand: AGE_BANDS,
  };
  for (const key of byKey.keys()) {
    const parts = key.split('|');
    dims.forEach((d, i) => {
      if (!values[d].includes(parts[i]!)) values[d] = [...values[d], parts[i]!];
    });
  }
  let combos: string[][] = [[]];
  for (const d of dims) combos = combos.flatMap((c) => values[d].map((v) => [...c, v]));
  const groups = req.by?.includes('group') ? Array.from({ length: 14 }, (_x, i) => i + 1) : [null];
  const rows: BreakdownRow[] = [];
  for (const combo of combos) {
    const counts = byKey.get(combo.join('|')) ?? emptyCounts();
    const unit = unitDim ? combo[dims.indexOf(unitDim)]! : null;
    // Targets and populations exist per unit only: rows by sex, age band or group have none.
    const ref = unit && dims.length === 1 && groups[0] === null ? reference.get(unit) : undefined;
    const population = ref?.population?.value ?? null;
    for (const g of groups) {
      const key: BreakdownKey = {};
      dims.forEach((d, i) => ((key as Record<string, string>)[d] = combo[i]!));
      if (g === null) {
        rows.push({
          key,
          childrenOnRecord: counts.main.children,
          childPopulation: population,
          indicators: presentValues(counts, population, ref?.targets ?? new Map()),
        });
      } else {
        key.group = g;
        rows.push({ key, childrenOnRecord: null, childPopulation: null, indicators: presentValues(groupCounts(counts, g), null, new Map(), true) });
      }
    }
  }
  return rows;
}

/** The counts of one special-circumstance group (its children in it, at risk of it, newly identified: abuse groups), from the parts. */
function groupCounts(c: Counts, g: number): Counts {
  const out = emptyCounts();
  const p = (name: string) => c.parts.get(`${name}:${g}`) ?? 0;
  out.main.sc = p('sc');
  out.main.abuse_new = g >= 9 && g <= 12 ? p('new') : 0;
  out.main.ar = p('ar');
  return out;
}

/** Turns counts into the indicator values (shares, medians, targets, gaps), suppression aside. */
export function presentValues(c: Counts, population: number | null, targets: Map<string, number>, groupOnly = false): IndicatorValue[] {
  const m = c.main;
  const value = (indicator: string, v: number | null, numerator: number | null, denominator: number | null): IndicatorValue => {
    const d = DEFINITIONS.get(indicator)!;
    const target = targets.get(indicator) ?? null;
    const gap = v !== null && target !== null ? Math.round((v - target) * 100) / 100 : null;
    return {
      indicator,
      unit: d.unit,
      value: v,
      numerator,
      denominator,
      suppressed: false,
      target,
      gap,
      met: gap === null ? null : d.direction === 'at_least' ? gap >= 0 : gap <= 0,
    };
  };
  const count = (indicator: string, n: number) => value(indicator, n, n, null);
  const share = (indicator: string, num: number, den: number | null) => value(indicator, den ? Math.round((10000 * num) / den) / 100 : null, num, den);
  const values: IndicatorValue[] = [];
  for (const d of INDICATOR_DEFINITIONS) {
    if (groupOnly && !d.byGroup) continue;
    switch (d.indicator) {
      case 'sc_children':
        values.push(count(d.indicator, m.sc));
        break;
      case 'sc_rate':
        values.push(share(d.indicator, m.sc, population));
        break;
      case 'sc_supported_share':
        values.push(share(d.indicator, m.sc_supported, m.sc));
        break;
      case 'abuse_new_cases':
        values.push(count(d.indicator, m.abuse_new));
        break;
      case 'at_risk_children':
        values.push(count(d.indicator, m.ar));
        break;
      case 'at_risk_supported_share':
        values.push(share(d.indicator, m.ar_supported, m.ar));
        break;
      case 'at_risk_removed':
        values.push(count(d.indicator, m.ar_removed));
        break;
      case 'at_risk_removed_share':
        values.push(share(d.indicator, m.ar_removed, m.ar));
        break;
      case 'cases_opened':
        values.push(count(d.indicator, m.opened));
        break;
      case 'cases_closed':
        values.push(count(d.indicator, m.closed));
        break;
      case 'cases_resolved_share':
        values.push(share(d.indicator, m.closed_resolved, m.closed));
        break;
      case 'assessed_on_time_share':
        values.push(share(d.indicator, m.assessed_on_time, m.assessed));
        break;
      case 'abuse_assessed_on_time_share':
        values.push(share(d.indicator, m.abuse_assessed_on_time, m.abuse_assessed));
        break;
      case 'median_days_to_assessment': {
        const { median, n } = medianDays(c.parts);
        values.push(value(d.indicator, median, null, n));
        break;
      }
      case 'interventions_on_time_share':
        values.push(share(d.indicator, m.delivered_on_time, m.delivered));
        break;
      case 'referrals':
        values.push(count(d.indicator, m.referrals));
        break;
      case 'children_registered':
        values.push(count(d.indicator, m.registered));
        break;
      case 'registered_national_id_share':
        values.push(share(d.indicator, m.registered_nid, m.registered));
        break;
      case 'national_id_linked_share':
        values.push(share(d.indicator, m.nid, m.children));
        break;
      default:
        if (d.indicator.startsWith('referrals_')) values.push(count(d.indicator, c.parts.get(`ref:${d.indicator.slice('referrals_'.length)}`) ?? 0));
    }
  }
  return values;
}

/**
 * The median of the `days:n` parts (the mean of the two middle ones for an even count); null without
 * any. Days are counted one by one up to 14; `days:15` holds the longer ones, so a median of 15
 * means "15 days or more".
 */
export function medianDays(parts: Map<string, number>): { median: number | null; n: number } {
  const buckets = [...parts]
    .filter(([k, n]) => k.startsWith('days:') && n > 0)
    .map(([k, n]) => [Number(k.slice(5)), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const n = buckets.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return { median: null, n };
  const nth = (i: number) => {
    let seen = 0;
    for (const [d, c] of buckets) {
      seen += c;
      if (i < seen) return d;
    }
    return buckets[buckets.length - 1]![0];
  };
  const median = n % 2 === 1 ? nth((n - 1) / 2) : (nth(n / 2 - 1) + nth(n / 2)) / 2;
  return { median, n };
}

interface SumRow {
  k: number;
  key: string;
  main: Record<ContributionField, number>;
}
interface PartRow {
  k: number;
  key: string;
  part: string;
  n: number;
}

/**
 * The sums of the `indicators` projection's deltas (rm_indicator_cells, rm_indicator_parts) for a
 * unit, over every period of the granularity up to and including the last one asked for, grouped
 * by the breakdown's columns (and by period for a series): one index range on the primary key, a
 * few rows per commune and change period, whatever the size of the log.
 */
async function readSums(
  pool: Pool,
  req: IndicatorRequest,
  g: Granularity,
  dims: Exclude<Dimension, 'group'>[],
  lastK: number,
  byPeriod: boolean,
): Promise<{ cells: SumRow[]; parts: PartRow[] }> {
  const params: unknown[] = [g, req.oldUnits ? 'pre_2025' : 'current', lastK];
  const where = ['granularity = $1', 'units = $2', 'period_index <= $3'];
  if (req.unitCode !== 'VN') {
    params.push(req.provinceCode);
    where.push(`province_code = $${params.length}`);
  }
  if (req.unitCode.length === 5) {
    params.push(req.unitCode);
    where.push(`commune_code = $${params.length}`);
  }
  const groupCols = [...(byPeriod ? ['period_index'] : []), ...dims.map((d) => DIM_COLUMN[d])];
  const select = groupCols.length ? `${groupCols.join(', ')}, ` : '';
  const groupBy = groupCols.length ? `GROUP BY ${groupCols.join(', ')}` : '';
  const keyOf = (r: Record<string, unknown>) => dims.map((d) => String(r[DIM_COLUMN[d]])).join('|');
  const res = await pool.query<Record<string, string>>(
    `SELECT ${select}${[...CONTRIBUTION_FIELDS, ...PART_COLUMNS.map((p) => p.column)].map((f) => `coalesce(sum(${f}), 0) AS ${f}`).join(', ')}
       FROM rm_indicator_cells WHERE ${where.join(' AND ')} ${groupBy}`,
    params,
  );
  const cells: SumRow[] = [];
  const parts: PartRow[] = [];
  for (const r of res.rows) {
    const k = byPeriod ? Number(r['period_index']) : lastK;
    const key = keyOf(r);
    cells.push({ k, key, main: Object.fromEntries(CONTRIBUTION_FIELDS.map((f) => [f, Number(r[f])])) as Record<ContributionField, number> });
    for (const p of PART_COLUMNS) {
      const n = Number(r[p.column]);
      if (n !== 0) parts.push({ k, key, part: p.part, n });
    }
  }
  return { cells, parts };
}

/**
 * Turns the counts of the oracle (testing) into a result the way computeIndicators does, for a
 * request without breakdown: the same presentation and suppression.
 */
export async function presentIndicators(
  pool: Pool,
  req: IndicatorRequest,
  counts: Record<string, string | number>,
  parts?: Map<string, number>,
): Promise<IndicatorResult> {
  const c = emptyCounts();
  for (const f of CONTRIBUTION_FIELDS) c.main[f] = Number(counts[f] ?? 0);
  if (parts) c.parts = parts;
  const reference = (await referenceValuesFor(pool, [req.unitCode], [req.period.label], req.referenceCodes, req.oldUnits))
    .get(req.period.label)!
    .get(req.unitCode);
  const result: IndicatorResult = {
    unitCode: req.unitCode,
    period: req.period,
    units: req.oldUnits ? 'pre_2025' : 'current',
    childrenOnRecord: c.main.children,
    childPopulation: reference?.population ?? null,
    indicators: presentValues(c, reference?.population?.value ?? null, reference?.targets ?? new Map()),
    referenceVersions: { target: reference?.targetVersion ?? null, population: reference?.population?.version ?? null },
  };
  if (req.suppressSmallCounts) suppressPoints([result], 'Y');
  return result;
}

// ---------------------------------------------------------------------------------------------
// Safe statistics (docs/indicators.md, "Small counts").

const small = (n: number | null) => n !== null && n > 0 && n < SUPPRESSION_THRESHOLD;

function hide(v: IndicatorValue): void {
  v.suppressed = true;
  v.value = null;
  v.numerator = null;
  v.denominator = null;
  v.gap = null;
  v.met = null;
}

/** Primary suppression of one list of values: a count, or a share's numerator or denominator, of 1 to 4. */
function primary(values: IndicatorValue[]): void {
  for (const v of values) {
    if (v.suppressed) continue;
    if (v.unit === 'count' ? small(v.numerator) : small(v.numerator) || small(v.denominator)) hide(v);
  }
}

/** In each group of cells that add up to a known margin, one hidden cell alone is recoverable: hide the next smallest non-zero one too. */
function complementary(groups: Iterable<IndicatorValue[]>): boolean {
  let changed = false;
  for (const group of groups) {
    if (group.filter((v) => v.suppressed).length !== 1) continue;
    // The smallest shown cell that is not zero (a zero hides nothing; ties: the first listed).
    const size = (v: IndicatorValue) => (v.unit === 'count' ? v.numerator! : (v.denominator ?? v.numerator!));
    const candidates = group.filter((v) => !v.suppressed && v.numerator !== null && size(v) > 0);
    if (candidates.length === 0) continue;
    let best = candidates[0]!;
    for (const v of candidates) if (size(v) < size(best)) best = v;
    hide(best);
    changed = true;
  }
  return changed;
}

/** Indicators whose counts (and a share's numerator and denominator) add up over the months of a quarter or year. */
const FLOW_INDICATORS = new Set([
  'abuse_new_cases',
  'cases_opened',
  'cases_closed',
  'cases_resolved_share',
  'assessed_on_time_share',
  'abuse_assessed_on_time_share',
  'interventions_on_time_share',
  'referrals',
  ...REFERRAL_SECTORS.map((s) => `referrals_${s}`),
  'children_registered',
]);
/** Counts that add up to `referrals`. */
const SECTOR_INDICATORS = new Set(REFERRAL_SECTORS.map((s) => `referrals_${s}`));

/**
 * Suppression for users who may not see individual cases (docs/indicators.md, "Small counts"):
 * primary (a count, or a share's numerator or denominator, of 1 to 4), then complementary, so that
 * no hidden cell can be recovered by subtraction from a margin that is shown or can be asked for:
 * - the referrals by sector, whose margin is `referrals`;
 * - for each indicator and each dimension of the breakdown, the rows that differ only in that
 *   dimension (their margin is the unit's value, or the row of a breakdown by the other dimensions);
 *   special-circumstance groups are left out (a child in two groups counts in both: they do not add up);
 * - for the indicators that add up over time (events in the period), the months of each quarter
 *   and of each year and the quarters of each year, for the unit and for each row: `points` holds
 *   every month (or quarter) of the years asked, so the same cells are hidden whichever of those
 *   periods a request asks for.
 * A group with exactly one hidden cell gets its smallest non-zero shown cell hidden as well; this
 * is repeated until nothing changes (a cell hidden for one margin may expose another).
 */
export function suppressPoints(points: IndicatorResult[], g: Granularity): void {
  // The children on record are a count like the others (they add up over communes, sexes, bands):
  // suppressed with them as a cell of their own, then written back.
  const CHILDREN = 'children_on_record';
  const holders: { indicators: IndicatorValue[]; childrenOnRecord: number | null }[] = points.flatMap((p) => [p, ...(p.breakdown ?? [])]);
  for (const h of holders) {
    const n = h.childrenOnRecord;
    h.indicators.push({ indicator: CHILDREN, unit: 'count', value: n, numerator: n, denominator: null, suppressed: false, target: null, gap: null, met: null });
    primary(h.indicators);
  }
  const cellsOf = (p: IndicatorResult) => [
    { key: '', values: p.indicators },
    ...(p.breakdown ?? []).map((r) => ({ key: JSON.stringify(r.key), values: r.indicators })),
  ];
  for (let pass = 0; pass < 10; pass++) {
    let changed = false;
    for (const p of points) {
      for (const { values } of cellsOf(p)) changed = complementary([values.filter((v) => SECTOR_INDICATORS.has(v.indicator))]) || changed;
      const rows = p.breakdown ?? [];
      const dims = (p.by ?? []).filter((d) => d !== 'group');
      if (rows.length === 0 || dims.length === 0) continue;
      const groups = new Map<string, IndicatorValue[]>();
      for (const r of rows) {
        for (const d of dims) {
          const rest = JSON.stringify({ ...r.key, [d]: null });
          for (const v of r.indicators) {
            const id = `${d}|${rest}|${v.indicator}`;
            const list = groups.get(id);
            if (list) list.push(v);
            else groups.set(id, [v]);
          }
        }
      }
      changed = complementary(groups.values()) || changed;
    }
    if (g !== 'Y') {
      // Over time: the same cell (unit or row, indicator) in the periods of one quarter or year.
      const groups = new Map<string, IndicatorValue[]>();
      for (const p of points) {
        const year = p.period.label.slice(0, 4);
        const margins = g === 'M' ? [year, `${year}-Q${Math.floor((Number(p.period.label.slice(5, 7)) - 1) / 3) + 1}`] : [year];
        for (const { key, values } of cellsOf(p)) {
          for (const v of values) {
            if (!FLOW_INDICATORS.has(v.indicator)) continue;
            for (const m of margins) {
              const id = `${m}|${key}|${v.indicator}`;
              const list = groups.get(id);
              if (list) list.push(v);
              else groups.set(id, [v]);
            }
          }
        }
      }
      changed = complementary(groups.values()) || changed;
    }
    if (!changed) break;
  }
  for (const h of holders) {
    const c = h.indicators.pop()!;
    h.childrenOnRecord = c.suppressed ? null : h.childrenOnRecord;
  }
}

// ---------------------------------------------------------------------------------------------
// Targets and populations.

interface Reference {
  targets: Map<string, number>;
  population: { value: number; version: number } | null;
  targetVersion: number | null;
}

/** The first day of the current unit list (the 2025 reorganisation). */
const REFORM_DAY = '2025-07-01';

/**
 * The targets and populations in force for each unit and period (the latest version holding a value for it).
 * A unit whose values were uploaded in the other unit list (the 2025 reorganisation) takes them from
 * `referenceCodes`: a count target and a population as the sum of its counterparts', a share, rate
 * or median target as their common value (none when they differ).
 */
async function referenceValuesFor(
  pool: Pool,
  units: readonly string[],
  periods: readonly string[],
  referenceCodes: Readonly<Record<string, ReferenceCodes>> | undefined,
  oldUnits: boolean,
): Promise<Map<string, Map<string, Reference>>> {
  // Values are uploaded in the units in force at the end of their period: mapped when that list is not the one asked.
  const mapped = (period: string) => referenceCodes !== undefined && parsePeriod(period)!.to < REFORM_DAY !== oldUnits;
  const own = (u: string) => [u];
  const counterparts = (u: string) => referenceCodes?.[u]?.codes ?? [u];
  const all = [...new Set([...units, ...units.flatMap(counterparts)])];
  const res = await pool.query<{ period: string; unit_code: string; kind: string; indicator: string; value: string; version: number }>(
    `SELECT DISTINCT ON (period, unit_code, kind, indicator) period, unit_code, kind, indicator, value::text AS value, version
       FROM indicator_reference_values WHERE unit_code = ANY($1) AND period = ANY($2)
      ORDER BY period, unit_code, kind, indicator, version DESC`,
    [all, periods],
  );
  const byPeriod = new Map<string, Map<string, Reference>>();
  for (const period of periods) {
    const byCode = new Map<string, typeof res.rows>();
    for (const r of res.rows) if (r.period === period) byCode.set(r.unit_code, [...(byCode.get(r.unit_code) ?? []), r]);
    byPeriod.set(period, mapped(period) ? referencesOf(units, byCode, counterparts, referenceCodes) : referencesOf(units, byCode, own));
  }
  return byPeriod;
}

function referencesOf(
  units: readonly string[],
  byCode: Map<string, { kind: string; indicator: string; value: string; version: number }[]>,
  codesOf: (u: string) => readonly string[],
  referenceCodes?: Readonly<Record<string, ReferenceCodes>>,
): Map<string, Reference> {
  const out = new Map<string, Reference>();
  for (const u of units) {
    const codes = codesOf(u);
    const ref: Reference = { targets: new Map(), population: null, targetVersion: null };
    const targets = new Map<string, number[]>();
    let popValue = 0;
    let popVersion = 0;
    let populations = 0;
    for (const code of codes) {
      for (const row of byCode.get(code) ?? []) {
        if (row.kind === 'population') {
          populations++;
          popValue += Number(row.value);
          popVersion = Math.max(popVersion, row.version);
        } else {
          targets.set(row.indicator, [...(targets.get(row.indicator) ?? []), Number(row.value)]);
          ref.targetVersion = Math.max(ref.targetVersion ?? 0, row.version);
        }
      }
    }
    // A sum over counterparts only when every counterpart has one, and each lies wholly inside the unit.
    const additive = referenceCodes?.[u]?.additive ?? true;
    if (additive && populations > 0 && populations === codes.length) ref.population = { value: popValue, version: popVersion };
    for (const [indicator, vs] of targets) {
      if (vs.length !== codes.length) continue;
      if (DEFINITIONS.get(indicator)?.unit === 'count') {
        if (additive)
          ref.targets.set(
            indicator,
            vs.reduce((sum, v) => sum + v, 0),
          );
      } else if (vs.every((v) => v === vs[0])) ref.targets.set(indicator, vs[0]!);
    }
    out.set(u, ref);
  }
  return out;
}

export type ReferenceKind = 'target' | 'population';

export interface ReferenceRow {
  unitCode: string;
  period: string;
  indicator: string;
  value: number;
}

/** Who uploaded a version and from which file (the version history shows both). */
export interface ReferenceUploadInfo {
  /** The uploader's user id. */
  loadedBy: string;
  /** The uploader's display name, as their token names them. */
  loadedByName?: string | null;
  /** The uploaded file's name, as the browser gave it. */
  fileName?: string | null;
}

/** Stores one uploaded file as a new version of targets or populations, all rows or none; returns the version. */
export async function storeReferenceVersion(pool: Pool, kind: ReferenceKind, rows: readonly ReferenceRow[], by: string | ReferenceUploadInfo): Promise<number> {
  const info: ReferenceUploadInfo = typeof by === 'string' ? { loadedBy: by } : by;
  return withTransaction(pool, async (client) => {
    // One version at a time per kind: the lock serialises concurrent uploads.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`indicator_reference:${kind}`]);
    const v = await client.query<{ v: number }>('SELECT coalesce(max(version), 0) + 1 AS v FROM indicator_reference_versions WHERE kind = $1', [kind]);
    const version = v.rows[0]!.v;
    await client.query(
      'INSERT INTO indicator_reference_versions (kind, version, loaded_by, loaded_by_name, file_name, row_count) VALUES ($1, $2, $3, $4, $5, $6)',
      [kind, version, info.loadedBy, info.loadedByName ?? null, info.fileName ?? null, rows.length],
    );
    await client.query(
      `INSERT INTO indicator_reference_values (kind, version, unit_code, period, indicator, value)
       SELECT $1, $2, r.unit_code, r.period, r.indicator, r.value FROM jsonb_to_recordset($3) AS r(unit_code text, period text, indicator text, value numeric)`,
      [kind, version, JSON.stringify(rows.map((r) => ({ unit_code: r.unitCode, period: r.period, indicator: r.indicator, value: r.value })))],
    );
    return version;
  });
}

/** The value in force today for a unit code, period and indicator as uploaded (no mapping across the 2025 reorganisation). */
export interface ReferenceValueInForce {
  unitCode: string;
  period: string;
  indicator: string;
  value: number;
  version: number;
}

/**
 * The values in force for the given keys: the latest version holding each (what the indicators use,
 * and what an upload's preview compares its rows with). Keys are matched exactly as uploaded.
 */
export async function referenceValuesInForce(
  pool: Pool,
  kind: ReferenceKind,
  keys: readonly { unitCode: string; period: string; indicator: string }[],
): Promise<ReferenceValueInForce[]> {
  if (keys.length === 0) return [];
  const res = await pool.query<{ unit_code: string; period: string; indicator: string; value: string; version: number }>(
    `SELECT DISTINCT ON (v.unit_code, v.period, v.indicator) v.unit_code, v.period, v.indicator, v.value::text AS value, v.version
       FROM indicator_reference_values v
       JOIN (SELECT DISTINCT unit_code, period, indicator FROM jsonb_to_recordset($2) AS k(unit_code text, period text, indicator text)) k
         USING (unit_code, period, indicator)
      WHERE v.kind = $1
      ORDER BY v.unit_code, v.period, v.indicator, v.version DESC`,
    [kind, JSON.stringify(keys.map((k) => ({ unit_code: k.unitCode, period: k.period, indicator: k.indicator })))],
  );
  return res.rows.map((r) => ({ unitCode: r.unit_code, period: r.period, indicator: r.indicator, value: Number(r.value), version: r.version }));
}

export interface ReferenceVersion {
  kind: ReferenceKind;
  version: number;
  loadedAt: string;
  loadedBy: string;
  loadedByName: string | null;
  fileName: string | null;
  rowCount: number;
}

const versionOf = (r: {
  kind: string;
  version: number;
  loaded_at: Date;
  loaded_by: string;
  loaded_by_name: string | null;
  file_name: string | null;
  row_count: number;
}): ReferenceVersion => ({
  kind: r.kind as ReferenceKind,
  version: r.version,
  loadedAt: r.loaded_at.toISOString(),
  loadedBy: r.loaded_by,
  loadedByName: r.loaded_by_name,
  fileName: r.file_name,
  rowCount: r.row_count,
});

/** The versions of a kind, newest first, one page; and how many there are. */
export async function listReferenceVersions(
  pool: Pool,
  kind: ReferenceKind,
  page: { limit: number; offset: number },
): Promise<{ items: ReferenceVersion[]; total: number }> {
  const [items, total] = await Promise.all([
    pool.query(
      `SELECT kind, version, loaded_at, loaded_by, loaded_by_name, file_name, row_count FROM indicator_reference_versions
        WHERE kind = $1 ORDER BY version DESC LIMIT $2 OFFSET $3`,
      [kind, page.limit, page.offset],
    ),
    pool.query<{ n: number }>('SELECT count(*)::int AS n FROM indicator_reference_versions WHERE kind = $1', [kind]),
  ]);
  return { items: items.rows.map(versionOf), total: total.rows[0]!.n };
}

/** One version, or null. */
export async function referenceVersion(pool: Pool, kind: ReferenceKind, version: number): Promise<ReferenceVersion | null> {
  const res = await pool.query(
    'SELECT kind, version, loaded_at, loaded_by, loaded_by_name, file_name, row_count FROM indicator_reference_versions WHERE kind = $1 AND version = $2',
    [kind, version],
  );
  return res.rows[0] ? versionOf(res.rows[0]) : null;
}

/**
 * One page of a version's rows, in unit, period and indicator order, those whose unit code passes
 * `unitCodes` (null: all); and how many pass.
 */
export async function referenceVersionRows(
  pool: Pool,
  kind: ReferenceKind,
  version: number,
  unitCodes: readonly string[] | null,
  page: { limit: number; offset: number },
): Promise<{ rows: ReferenceRow[]; total: number }> {
  const where = 'kind = $1 AND version = $2 AND ($3::text[] IS NULL OR unit_code = ANY($3))';
  const [rows, total] = await Promise.all([
    pool.query<{ unit_code: string; period: string; indicator: string; value: string }>(
      `SELECT unit_code, period, indicator, value::text AS value FROM indicator_reference_values WHERE ${where}
        ORDER BY unit_code, period, indicator LIMIT $4 OFFSET $5`,
      [kind, version, unitCodes, page.limit, page.offset],
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM indicator_reference_values WHERE ${where}`, [kind, version, unitCodes]),
  ]);
  return { rows: rows.rows.map((r) => ({ unitCode: r.unit_code, period: r.period, indicator: r.indicator, value: Number(r.value) })), total: total.rows[0]!.n };
}

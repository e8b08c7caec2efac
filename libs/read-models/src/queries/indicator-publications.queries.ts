import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { EventStore } from '@childledger/event-store';
import { IndicatorRequest, IndicatorResult, IndicatorSeriesResult, Period } from '../indicators';
import { IndicatorSource, LogCut, logPositionNumber, ReferenceCaps, ReplayStats, sourceOn, withReplayedIndicators } from '../indicators-replay';
import { checkpointName, START_CHECKPOINT } from '../projection-runner';
import type { UnitResolver } from '../unit-resolver';
import { Jurisdiction, jurisdictionSql, Params, sqlInstant } from './sql';
import { READ_MODEL_EVENT_STORE, READ_MODEL_POOL, READ_MODEL_UNIT_RESOLVER } from './tokens';

/** What GET /indicators answers: one result, or a series (its last point's fields, and `series`). */
export type IndicatorFigures = IndicatorResult & { series?: IndicatorSeriesResult };

/** The request of a publication as computed: replayed as is, so a recompute asks exactly the same question. */
export interface FrozenQuery {
  request: IndicatorRequest;
  periods: Period[];
  /** A trend (series=): the figures are the last point with `series`. */
  isSeries: boolean;
}

/** The figures for a frozen query from a source (the live projection or a replay). */
export async function figuresFrom(source: IndicatorSource, q: FrozenQuery): Promise<IndicatorFigures> {
  if (!q.isSeries) return source.compute(q.request);
  const series = await source.series(q.request, q.periods);
  return { ...series.points[series.points.length - 1]!, series };
}

export interface NewPublication {
  title: string;
  note: string | null;
  supersedes: string | null;
  unitCode: string;
  /** The unit in today's codes (jurisdiction of lists): null province for the whole country. */
  jurisdictionProvince: string | null;
  jurisdictionCommune: string | null;
  /** The parameters as the client gave them (unit, period or series, from, to, unitsOn, by). */
  query: Record<string, string>;
  frozen: FrozenQuery;
  publishedBy: string;
  publishedByRole: string;
}

export interface Publication {
  id: string;
  title: string;
  note: string | null;
  supersedes: string | null;
  /** Later publications that name this one as superseded. */
  supersededBy: string[];
  unitCode: string;
  periodLabel: string;
  query: Record<string, string>;
  figures: IndicatorFigures;
  /** The indicators projection's checkpoint the figures reflect (opaque), and its global position. */
  logPosition: string;
  logPositionNumber: number;
  /** The versions the figures used for the unit, and the latest of each kind in force when published. */
  referenceVersions: { target: number | null; population: number | null; targetInForce: number; populationInForce: number };
  publishedBy: string;
  publishedByRole: string;
  /** Recorded time (UTC, microseconds). */
  publishedAt: string;
  frozen: FrozenQuery;
  jurisdictionProvince: string | null;
  jurisdictionCommune: string | null;
}

export interface PublicationDifference {
  /** Where, in the figures: `indicators[sc_children].value`, `breakdown[commune=00008,sex=F].childrenOnRecord`, `series.points[2025-03]…`. */
  path: string;
  published: unknown;
  recomputed: unknown;
}

export interface RecomputeResult {
  equal: boolean;
  differences: PublicationDifference[];
  /** How many differences there were (the list stops at MAX_DIFFERENCES). */
  differenceCount: number;
  figures: IndicatorFigures;
  stats: ReplayStats;
}

export const MAX_DIFFERENCES = 200;

interface Row {
  id: string;
  title: string;
  note: string | null;
  supersedes: string | null;
  superseded_by: string[] | null;
  unit_code: string;
  period_label: string;
  query: Record<string, string>;
  request: FrozenQuery;
  figures: IndicatorFigures;
  log_position: string;
  log_position_number: string;
  target_version: number | null;
  population_version: number | null;
  target_versions_max: number;
  population_versions_max: number;
  published_by: string;
  published_by_role: string;
  published_at_text: string;
  jurisdiction_province: string | null;
  jurisdiction_commune: string | null;
}

const COLUMNS = `p.id, p.title, p.note, p.supersedes, p.unit_code, p.period_label, p.query, p.request, p.figures, p.log_position,
  p.log_position_number::text AS log_position_number, p.target_version, p.population_version, p.target_versions_max, p.population_versions_max,
  p.published_by, p.published_by_role, ${sqlInstant('p.published_at')} AS published_at_text, p.jurisdiction_province, p.jurisdiction_commune,
  (SELECT array_agg(s.id ORDER BY s.published_at) FROM indicator_publications s WHERE s.supersedes = p.id) AS superseded_by`;

function toPublication(r: Row): Publication {
  const stored = r.request;
  return {
    id: r.id,
    title: r.title,
    note: r.note,
    supersedes: r.supersedes,
    supersededBy: r.superseded_by ?? [],
    unitCode: r.unit_code,
    periodLabel: r.period_label,
    query: r.query,
    figures: r.figures,
    logPosition: r.log_position,
    logPositionNumber: Number(r.log_position_number),
    referenceVersions: {
      target: r.target_version,
      population: r.population_version,
      targetInForce: r.target_versions_max,
      populationInForce: r.population_versions_max,
    },
    publishedBy: r.published_by,
    publishedByRole: r.published_by_role,
    publishedAt: r.published_at_text,
    frozen: { request: stored.request, periods: stored.periods, isSeries: stored.isSeries },
    jurisdictionProvince: r.jurisdiction_province,
    jurisdictionCommune: r.jurisdiction_commune,
  };
}

/**
 * Published indicator figures (docs/indicators.md, "Published figures"): frozen with the log
 * position they reflect, listed within the caller's jurisdiction, recomputed from the log.
 */
@Injectable()
export class IndicatorPublications {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(READ_MODEL_EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_UNIT_RESOLVER) private readonly units: UnitResolver,
  ) {}

  /**
   * Computes the figures and stores them, in one REPEATABLE READ transaction: the projection's
   * tables and the reference values are locked (ACCESS SHARE: a rebuild's switch-over waits) before
   * the snapshot is taken, then the checkpoint, the latest reference versions and the figures are
   * all read in that one snapshot. A projector batch writes its cells and its checkpoint in one
   * transaction, so the figures are exactly those of the events up to the checkpoint.
   */
  async publish(p: NewPublication): Promise<Publication> {
    const id = randomUUID();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await client.query('LOCK TABLE rm_indicator_cells, indicator_reference_values, indicator_reference_versions IN ACCESS SHARE MODE');
      // The first statement takes the snapshot; clock_timestamp() is read after it, so every event
      // the checkpoint covers was recorded before the publication's time.
      const cp = await client.query<{ checkpoint: string | null; at: Date }>(
        `SELECT (SELECT checkpoint FROM subscription_checkpoints WHERE subscription_name = $1) AS checkpoint, clock_timestamp() AS at`,
        [checkpointName('indicators')],
      );
      const checkpoint = cp.rows[0]!.checkpoint ?? START_CHECKPOINT;
      const at = cp.rows[0]!.at;
      const caps = await client.query<{ kind: string; v: number }>('SELECT kind, max(version)::int AS v FROM indicator_reference_versions GROUP BY kind');
      const cap = (kind: string) => caps.rows.find((r) => r.kind === kind)?.v ?? 0;
      const figures = await figuresFrom(sourceOn(client), p.frozen);
      await client.query(
        `INSERT INTO indicator_publications (id, title, note, supersedes, unit_code, jurisdiction_province, jurisdiction_commune, period_label, query, request,
           figures, log_position, log_position_number, target_version, population_version, target_versions_max, population_versions_max,
           published_by, published_by_role, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
        [
          id,
          p.title,
          p.note,
          p.supersedes,
          p.unitCode,
          p.jurisdictionProvince,
          p.jurisdictionCommune,
          figures.series ? `${figures.series.from}…${figures.series.to}` : figures.period.label,
          JSON.stringify(p.query),
          JSON.stringify(p.frozen),
          JSON.stringify(figures),
          checkpoint,
          logPositionNumber(checkpoint),
          figures.referenceVersions.target,
          figures.referenceVersions.population,
          cap('target'),
          cap('population'),
          p.publishedBy,
          p.publishedByRole,
          at,
        ],
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    return (await this.find(undefined, id))!;
  }

  /** One publication, if it exists and (with `user`) lies in the user's jurisdiction. */
  async find(user: Jurisdiction | undefined, id: string): Promise<Publication | null> {
    const params = new Params();
    const where = [`p.id = ${params.add(id)}`];
    const j = user ? this.visible(user, params) : null;
    if (j) where.push(j);
    const r = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM indicator_publications p WHERE ${where.join(' AND ')}`, params.values);
    return r.rows[0] ? toPublication(r.rows[0]) : null;
  }

  /** Newest first, `limit + 1` rows from after the cursor key (published at, id). */
  async list(user: Jurisdiction, filter: { unitCode?: string; after?: [string, string]; limit: number }): Promise<Publication[]> {
    const params = new Params();
    const where: string[] = [];
    const j = this.visible(user, params);
    if (j) where.push(j);
    if (filter.unitCode) where.push(`p.unit_code = ${params.add(filter.unitCode)}`);
    if (filter.after) where.push(`(p.published_at, p.id) < (${params.add(filter.after[0])}::timestamptz, ${params.add(filter.after[1])}::uuid)`);
    const r = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM indicator_publications p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY p.published_at DESC, p.id DESC LIMIT ${params.add(filter.limit + 1)}`,
      params.values,
    );
    return r.rows.map(toPublication);
  }

  private visible(user: Jurisdiction, params: Params): string | null {
    return jurisdictionSql(user, { province: 'p.jurisdiction_province', commune: 'p.jurisdiction_commune' }, params.add);
  }

  /**
   * The publication's figures recomputed from the log as it stood when it was published (events at
   * or before its log position, recorded at or before its time; the reference versions then in
   * force), compared figure by figure with the frozen ones.
   */
  async recompute(p: Publication): Promise<RecomputeResult> {
    const cut: LogCut = { position: p.logPosition, recordedAt: new Date(p.publishedAt) };
    const caps: ReferenceCaps = { target: p.referenceVersions.targetInForce, population: p.referenceVersions.populationInForce };
    return withReplayedIndicators(this.pool, this.store, this.units, cut, caps, p.frozen.request, p.frozen.periods, async (source, stats) => {
      const figures = await figuresFrom(source, p.frozen);
      const all: PublicationDifference[] = [];
      diff(p.figures, figures, '', all);
      return { equal: all.length === 0, differences: all.slice(0, MAX_DIFFERENCES), differenceCount: all.length, figures, stats };
    });
  }

  /** The figures as the log stood at recorded time `at` (events recorded by then; the reference versions loaded by then). */
  async asOf(at: Date, q: FrozenQuery): Promise<{ figures: IndicatorFigures; stats: ReplayStats }> {
    const caps = await this.pool.query<{ kind: string; v: number }>(
      'SELECT kind, max(version)::int AS v FROM indicator_reference_versions WHERE loaded_at <= $1 GROUP BY kind',
      [at],
    );
    const cap = (kind: string) => caps.rows.find((r) => r.kind === kind)?.v ?? 0;
    return withReplayedIndicators(
      this.pool,
      this.store,
      this.units,
      { position: null, recordedAt: at },
      { target: cap('target'), population: cap('population') },
      q.request,
      q.periods,
      async (source, stats) => ({ figures: await figuresFrom(source, q), stats }),
    );
  }
}

/** Labels an element of a list of figures by what it is, not where it sits. */
function labelOf(x: unknown, i: number): string {
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o['indicator'] === 'string') return o['indicator'];
    if (o['key'] && typeof o['key'] === 'object')
      // By name: the stored figures are jsonb, which keeps an object's keys in its own order.
      return Object.entries(o['key'] as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',');
    const period = o['period'] as { label?: string } | undefined;
    if (period?.label) return period.label;
  }
  return String(i);
}

/** Every leaf that differs between the published and the recomputed figures. */
function diff(a: unknown, b: unknown, path: string, out: PublicationDifference[]): void {
  if (a === b) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const byLabel = new Map(b.map((x, i) => [labelOf(x, i), x]));
    const seen = new Set<string>();
    a.forEach((x, i) => {
      const label = labelOf(x, i);
      seen.add(label);
      diff(x, byLabel.has(label) ? byLabel.get(label) : undefined, `${path}[${label}]`, out);
    });
    b.forEach((x, i) => {
      const label = labelOf(x, i);
      if (!seen.has(label)) out.push({ path: `${path}[${label}]`, published: undefined, recomputed: x });
    });
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
    return;
  }
  out.push({ path, published: a ?? null, recomputed: b ?? null });
}

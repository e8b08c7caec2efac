import type { Pool, PoolClient } from 'pg';
import type { Checkpoint, EventStore, RecordedEvent } from '@childledger/event-store';
import { computeIndicators, computeIndicatorSeries, IndicatorRequest, IndicatorResult, IndicatorSeriesResult, Period, granularityOf } from './indicators';
import {
  caseFact,
  CELL_COLUMNS,
  childContribution,
  closeChildState,
  Contribution,
  emptyIndicatorState,
  IndicatorChildState,
  OpenedChildState,
  openChildState,
  applyChildEvent,
  periodBounds,
  periodIndex,
  withMergedRecords,
} from './projections/indicators.projection';
import { childIdOfStream } from './projections/children.projection';
import { asCaseEvent } from './events';
import type { UnitResolver } from './unit-resolver';

/**
 * Indicators as the log stood at a cut (a log position and a recorded time), recomputed from the
 * events themselves, not from the `indicators` projection's tables (docs/indicators.md, "Published
 * figures"). The log is read through the event store's port (so through the decrypting decorator
 * and the upcasters, as the projector reads it), folded child by child with the projection's own
 * pure functions (`applyChildEvent`, `caseFact`, `withMergedRecords`, `childContribution`), and the
 * unit's contributions, as deltas between the periods asked for, are written to a temporary table named like the projection's
 * (`rm_indicator_cells`, in the session's `pg_temp`, which PostgreSQL searches first), with the
 * reference values capped at the versions in force at the cut. `computeIndicators` then runs
 * unchanged on that session: the same sums, presentation and suppression as the live query, on
 * a scratch copy that is dropped when the transaction ends (it is rolled back: nothing is written).
 */

/** Where the log is cut: events at or before `position` (all when null) recorded at or before `recordedAt`. */
export interface LogCut {
  position: Checkpoint | null;
  recordedAt: Date;
}

/** The target and population versions to use: the latest at or below these (null: none at all). */
export interface ReferenceCaps {
  target: number | null;
  population: number | null;
}

export interface ReplayStats {
  /** Events read from the log (child and case streams up to the cut). */
  eventsRead: number;
  /** Of those, recorded after the cut's time and left out. */
  eventsAfterCut: number;
  children: number;
  /** Delta rows of the unit written to the scratch table. */
  cells: number;
  /** Reading and folding the log and filling the scratch tables. */
  seconds: number;
}

/** Case events the indicators projection folds (the others change nothing it counts). */
const CASE_EVENT_TYPES = new Set(['CaseOpened', 'CaseAssessed', 'InterventionDelivered', 'CaseClosed', 'CaseReferred', 'CaseReopened']);
const KEY_COLUMNS = ['granularity', 'units', 'province_code', 'commune_code', 'sex', 'age_band', 'period_index'] as const;
const PAGE = 5000;

/**
 * Positions of both adapters are two decimal integers (`transaction:position` in PostgreSQL,
 * `commit:prepare` in EventStoreDB) ordered as a pair: whether `a` comes after `b`.
 */
export function positionAfter(a: Checkpoint, b: Checkpoint): boolean {
  const [a1, a2] = a.split(':').map((x) => BigInt(x));
  const [b1, b2] = b.split(':').map((x) => BigInt(x));
  return a1! !== b1! ? a1! > b1! : a2! > b2!;
}

/** The global position part of a checkpoint, as people read it ("log position 1234"). */
export function logPositionNumber(checkpoint: Checkpoint | null): number {
  if (!checkpoint) return 0;
  return Number(checkpoint.split(':')[1] ?? 0);
}

/** Every child's indicator state as the log stood at the cut, folded as the projection folds it. */
export async function foldIndicatorStates(
  store: EventStore,
  units: UnitResolver,
  cut: LogCut,
): Promise<{ states: Map<string, IndicatorChildState>; eventsRead: number; eventsAfterCut: number }> {
  // Children are kept closed (the compact state the projection stores) and opened only for the
  // page that touches them, as the projection does per batch: the opened form is several times larger.
  const states = new Map<string, IndicatorChildState>();
  const opened = new Map<string, OpenedChildState>();
  const caseChild = new Map<string, string>();
  const open = (childId: string) => {
    let o = opened.get(childId);
    if (!o) opened.set(childId, (o = openChildState(states.get(childId) ?? emptyIndicatorState())));
    return o;
  };
  let after: Checkpoint | null = null;
  let eventsRead = 0;
  let eventsAfterCut = 0;
  const apply = (e: RecordedEvent) => {
    const childId = childIdOfStream(e.streamId);
    if (childId !== null) {
      applyChildEvent(open(childId), e, units);
      return;
    }
    if (!e.streamId.startsWith('case-') || !CASE_EVENT_TYPES.has(e.type)) return;
    const caseId = e.streamId.slice('case-'.length);
    const ev = asCaseEvent(e);
    if (ev?.type === 'CaseOpened' && !caseChild.has(caseId)) caseChild.set(caseId, String(ev.data.childId));
    const child = caseChild.get(caseId);
    if (child === undefined) return;
    const o = open(child);
    const fact = caseFact(e, caseId, child, o.cases);
    if (fact) o.facts.push(fact);
  };
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE, filter: { streamPrefixes: ['child-', 'case-'] } });
    if (page.events.length === 0) break;
    let done = false;
    for (const e of page.events) {
      if (cut.position !== null && positionAfter(e.position, cut.position)) {
        done = true;
        break;
      }
      eventsRead++;
      if (e.recordedAt.getTime() > cut.recordedAt.getTime()) {
        eventsAfterCut++;
        continue;
      }
      apply(e);
    }
    for (const [id, o] of opened) states.set(id, closeChildState(o));
    opened.clear();
    if (done) break;
    after = page.checkpoint;
  }
  return { states, eventsRead, eventsAfterCut };
}

/**
 * The scratch table's rows for the request: per key (`granularity|units|province|commune|sex|band|period`),
 * the change of the children's summed contribution at each period the request can ask for (every
 * period of granularity g in the years it touches: a month or quarter is computed with the rest of
 * its year for the small-count rule), so that the sum of the rows up to a period, which is what
 * `computeIndicators` reads, is the contribution in that period. Each child's contribution is
 * evaluated directly for each of those periods (`childContribution`, the definitions), not through
 * the projection's runs and deltas: the recompute checks the delta arithmetic as well.
 */
export function replayDeltas(states: ReadonlyMap<string, IndicatorChildState>, req: IndicatorRequest, periods: readonly Period[]): Map<string, Contribution> {
  const g = granularityOf(periods[0] ?? req.period);
  const list = req.oldUnits ? 'pre_2025' : 'current';
  const years = [...new Set([...periods, req.period].map((p) => Number(p.from.slice(0, 4))))];
  const ks = [...new Set([...periods, req.period].map((p) => periodIndex(g, p.from)))];
  for (const y of years) if (g !== 'Y') for (let k = periodIndex(g, `${y}-01-01`); k <= periodIndex(g, `${y}-12-31`); k++) ks.push(k);
  const order = [...new Set(ks)].sort((a, b) => a - b);
  const members = new Map<string, IndicatorChildState[]>();
  for (const st of states.values()) {
    const into = st.child?.status === 'merged' ? st.child.merged_into : null;
    if (into) members.set(into, [...(members.get(into) ?? []), st]);
  }
  const [P, C] = req.oldUnits ? [7, 6] : [5, 4];
  // Per period, per key (province|commune|sex|band): the sum of the contributions.
  const sums = order.map(() => new Map<string, Contribution>());
  for (const [id, st0] of states) {
    if (st0.child?.status === 'merged') continue;
    // A child that never lived in the province (in the list asked) contributes nothing to it.
    if (req.unitCode !== 'VN' && !st0.spells.some((s) => s[1] === 'residence' && s[P] === req.provinceCode)) continue;
    const st = withMergedRecords(st0, members.get(id) ?? []);
    order.forEach((k, i) => {
      const [from, to] = periodBounds(g, k);
      const got = childContribution(st, from, to);
      if (!got) return;
      const province = got.residence[P] as string | null;
      const commune = (got.residence[C] as string | null) ?? '';
      if (province === null || (req.unitCode !== 'VN' && province !== req.provinceCode) || (req.unitCode.length === 5 && commune !== req.unitCode)) return;
      const key = `${province}|${commune}|${got.sex}|${got.band}`;
      const acc = sums[i]!.get(key);
      if (!acc) sums[i]!.set(key, [...got.vec]);
      else for (let j = 0; j < got.vec.length; j++) acc[j]! += got.vec[j]!;
    });
  }
  const out = new Map<string, Contribution>();
  const zero = new Array<number>(CELL_COLUMNS.length).fill(0);
  order.forEach((k, i) => {
    const now = sums[i]!;
    const before = i > 0 ? sums[i - 1]! : new Map<string, Contribution>();
    for (const key of new Set([...now.keys(), ...before.keys()])) {
      const a = now.get(key) ?? zero;
      const b = before.get(key) ?? zero;
      const d = a.map((x, j) => x - b[j]!);
      if (d.some((x) => x !== 0)) out.set(`${g}|${list}|${key}|${k}`, d);
    }
  });
  return out;
}

/** What computes figures: the live projection (IndicatorQueries) or a replay's scratch tables. */
export interface IndicatorSource {
  compute(req: IndicatorRequest): Promise<IndicatorResult>;
  series(req: IndicatorRequest, periods: readonly Period[]): Promise<IndicatorSeriesResult>;
}

/** `computeIndicators` only calls `query`: a client in a transaction serves as its pool. */
export function sourceOn(client: PoolClient): IndicatorSource {
  const asPool = client as unknown as Pool;
  return {
    compute: (req) => computeIndicators(asPool, req),
    series: (req, periods) => computeIndicatorSeries(asPool, req, periods),
  };
}

/**
 * Runs `work` with a source that answers the request as the log stood at `cut` (see the comment at
 * the top). The scratch tables live in one transaction that is rolled back.
 */
export async function withReplayedIndicators<T>(
  pool: Pool,
  store: EventStore,
  units: UnitResolver,
  cut: LogCut,
  caps: ReferenceCaps,
  req: IndicatorRequest,
  periods: readonly Period[],
  work: (source: IndicatorSource, stats: ReplayStats) => Promise<T>,
): Promise<T> {
  const t0 = process.hrtime.bigint();
  const folded = await foldIndicatorStates(store, units, cut);
  return withScratchIndicators(pool, folded.states, caps, req, periods, (source, cells) =>
    work(source, {
      eventsRead: folded.eventsRead,
      eventsAfterCut: folded.eventsAfterCut,
      children: folded.states.size,
      cells,
      seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    }),
  );
}

/** The same from states already folded (one fold for several requests). */
export async function withScratchIndicators<T>(
  pool: Pool,
  states: ReadonlyMap<string, IndicatorChildState>,
  caps: ReferenceCaps,
  req: IndicatorRequest,
  periods: readonly Period[],
  work: (source: IndicatorSource, cells: number) => Promise<T>,
): Promise<T> {
  const deltas = replayDeltas(states, req, periods);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // The schema of the real tables, before the temporary ones hide them.
    const schema = (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s.replace(/"/g, '""');
    // Named like the projection's and the reference tables: pg_temp is searched first, so the
    // unchanged queries of computeIndicators read these copies in this session only.
    await client.query('CREATE TEMP TABLE rm_indicator_cells (LIKE rm_indicator_cells) ON COMMIT DROP');
    await client.query('CREATE TEMP TABLE indicator_reference_values (LIKE indicator_reference_values) ON COMMIT DROP');
    await client.query(
      `INSERT INTO pg_temp.indicator_reference_values SELECT * FROM "${schema}".indicator_reference_values
        WHERE (kind = 'target' AND version <= $1) OR (kind = 'population' AND version <= $2)`,
      [caps.target ?? 0, caps.population ?? 0],
    );
    const rows = [...deltas];
    for (let i = 0; i < rows.length; i += 10_000) {
      const chunk = rows.slice(i, i + 10_000);
      const keys = chunk.map(([k]) => k.split('|'));
      const params = [
        ...KEY_COLUMNS.map((_c, j) => keys.map((k) => (j === 6 ? Number(k[j]) : k[j]))),
        ...CELL_COLUMNS.map((_f, j) => `{${chunk.map(([, v]) => v[j]).join(',')}}`),
      ];
      const types = [...KEY_COLUMNS.map((c) => (c === 'period_index' ? 'integer' : 'text')), ...CELL_COLUMNS.map(() => 'integer')];
      await client.query(
        `INSERT INTO pg_temp.rm_indicator_cells (${[...KEY_COLUMNS, ...CELL_COLUMNS].join(', ')})
         SELECT * FROM unnest(${types.map((t, j) => `$${j + 1}::${t}[]`).join(', ')})`,
        params,
      );
    }
    return await work(sourceOn(client), rows.length);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

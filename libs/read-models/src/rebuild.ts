import type { Pool, PoolClient } from 'pg';
import type { EventStore, ReadAllResult } from '@childledger/event-store';
import { PgCheckpointStore } from '@childledger/event-store';
import { APPLICATION_ROLE, inTransaction } from '@childledger/database';
import type { Projection, ProjectionContext } from './projection';
import { checkpointName, START_CHECKPOINT } from './projection-runner';
import type { UnitResolver } from './unit-resolver';

export interface RebuildProgress {
  /** Events every lane has applied. */
  events: number;
  /** Global position of the last event applied. */
  checkpoint: string | null;
  /** Seconds since the rebuild started. */
  seconds?: number;
  /** Per projection: events it has applied (lanes run at their own pace, a few pages apart). */
  perProjection?: Record<string, number>;
  /** Set once the log is read: every lane is through and builds indexes (or writes what it kept), then the switch-over. */
  phase?: 'bulk' | 'indexes' | 'switch-over' | 'done';
}

export interface RebuildOptions {
  /** The event log, read through the platform's port. */
  store: EventStore;
  /** A pool of the owner role: creating, renaming and dropping tables needs it. */
  ownerPool: Pool;
  projections: readonly Projection[];
  units: UnitResolver;
  batchSize?: number;
  /**
   * How many lanes (connections, each applying its projections page by page) run in parallel;
   * default: one per projection, at most the pool's size and MAX_LANES.
   */
  lanes?: number;
  /** Shadow table suffix. */
  suffix?: string;
  /** false: leave the shadow tables next to the live ones (tests compare them) and do not switch. */
  switchOver?: boolean;
  onProgress?: (p: RebuildProgress) => void;
}

export interface RebuildResult {
  events: number;
  checkpoint: string | null;
  seconds: number;
  /** Shadow table of each live table (dropped after a switch-over). */
  shadows: Record<string, string>;
  /** Seconds each projection spent applying its batches and writing what it kept (lanes overlap: they add up to more than `seconds`). */
  projectionSeconds: Record<string, number>;
  /** Seconds spent building the deferred indexes, all lanes together. */
  indexSeconds: number;
}

interface IndexDef {
  name: string;
  def: string;
  primary: boolean;
  /** Its first key column (null for an expression). */
  first: string | null;
  /** Whether it has a WHERE clause. */
  partial: boolean;
  /** Whether that clause is only `<first> IS NOT NULL`: the index still serves every lookup of a value by its first column. */
  notNullOnly: boolean;
}

async function indexesOf(client: PoolClient, table: string): Promise<IndexDef[]> {
  const res = await client.query<IndexDef>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def, x.indisprimary AS primary,
            a.attname AS first, x.indpred IS NOT NULL AS partial,
            coalesce(pg_get_expr(x.indpred, x.indrelid) = '(' || a.attname || ' IS NOT NULL)', false) AS "notNullOnly"
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
      WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace
      ORDER BY i.relname`,
    [table],
  );
  return res.rows;
}

/** An index of a shadow table built at the end of the bulk, or earlier when a lookup needs it. */
interface DeferredIndex {
  table: string;
  def: IndexDef;
  sql: string;
  built: boolean;
}

/** An index definition of `table` rewritten for its shadow, under a temporary name. */
function shadowIndex(def: IndexDef, shadow: string): string {
  return def.def.replace(
    /^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?(public\.)?\S+/,
    (_m, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX ${def.name}${SHADOW_INDEX_MARK} ON public.${shadow}`,
  );
}
const SHADOW_INDEX_MARK = '__rb';

/**
 * Rebuilds projections from the start of the log into shadow tables, in batches (one transaction
 * each) while the live tables keep serving, and then switches over in one transaction: it locks
 * the projections' checkpoint rows (a live projector's batch backs off until they are free, and then finds its
 * checkpoint moved and resubscribes), applies what was appended meanwhile, renames the shadow
 * tables into place, drops the old ones and stores the rebuild's checkpoint.
 *
 * Primary keys exist from the start (upserts need them); the other indexes are built once the
 * bulk of the log is in, which is much faster than maintaining them row by row, except one that a
 * projection's lookup needs (`ProjectionContext.lookup`), built at the first such lookup.
 */
export async function rebuildProjections(options: RebuildOptions): Promise<RebuildResult> {
  const started = process.hrtime.bigint();
  const suffix = options.suffix ?? '__rebuild';
  const batchSize = options.batchSize ?? 5000;
  const live = options.projections.flatMap((p) => p.tables);
  const shadows = Object.fromEntries(live.map((t) => [t, `${t}${suffix}`]));
  const client = await options.ownerPool.connect();
  const deferredIndexes: DeferredIndex[] = [];
  const primaryFirst = new Set<string>();
  const looked = new Set<string>();
  const ctx: ProjectionContext = {
    table: (base) => shadows[base] ?? base,
    units: options.units,
    // Rows read by a column that only a deferred index serves would be a scan of the shadow table
    // per batch: that index is built at the first such read instead (while the table is small).
    lookup: async (tx, base, column) => {
      const key = `${base}.${column}`;
      if (looked.has(key)) return;
      looked.add(key);
      if (primaryFirst.has(key)) return;
      const idx = deferredIndexes.find((d) => !d.built && d.table === base && (!d.def.partial || d.def.notNullOnly) && d.def.first === column);
      if (!idx) return;
      await tx.query(idx.sql);
      idx.built = true;
    },
  };
  try {
    for (const t of live) {
      const shadow = shadows[t]!;
      await client.query(`DROP TABLE IF EXISTS ${shadow}`);
      // Logged from the start: appends by COPY are WAL-logged a page at a time, which costs less
      // than filling an unlogged table and rewriting it (indexes included) with SET LOGGED at the end.
      await client.query(`CREATE TABLE ${shadow} (LIKE ${t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY)`);
      // No autovacuum while the bulk fills it: each batch's inserts would trigger a vacuum and an
      // analyze of a table nothing reads yet. Set back, and the table analysed, before the switch-over.
      await client.query(`ALTER TABLE ${shadow} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
      for (const idx of await indexesOf(client, t)) {
        const sql = shadowIndex(idx, shadow);
        if (idx.primary) {
          await client.query(
            `ALTER TABLE ${shadow} ADD CONSTRAINT ${idx.name}${SHADOW_INDEX_MARK} PRIMARY KEY USING INDEX ${await createIndex(client, sql, idx)}`,
          );
          primaryFirst.add(`${t}.${idx.first}`);
        } else deferredIndexes.push({ table: t, def: idx, sql, built: false });
      }
    }

    let after: string | null = null;
    let events = 0;
    const applyUntilEmpty = async (tx: PoolClient): Promise<void> => {
      for (;;) {
        const page = await options.store.readAll({ after, maxCount: batchSize });
        if (page.events.length === 0) return;
        for (const p of options.projections) await p.apply(page.events, tx, ctx);
        after = page.checkpoint;
        events += page.events.length;
      }
    };
    // The bulk of the log. Each projection has its own tables, so the projections go through the
    // pages in lanes, each lane on its own connection with one transaction per page: while
    // PostgreSQL writes one lane's batch, Node folds another lane's. Pages are read once, ahead of
    // the lanes (a bounded window). These batches need no durability of their own (nothing serves
    // the shadow tables before the switch; a crashed rebuild starts again): no synchronous commit.
    // A lane that is through builds the deferred indexes of its tables, and then helps the others.
    const bulk = await applyInLanes(options, client, ctx, batchSize, deferredIndexes, started, (p) => options.onProgress?.(p));
    after = bulk.progress.checkpoint;
    events = bulk.progress.events;
    const done = (): RebuildResult => ({
      events,
      checkpoint: after,
      seconds: elapsed(started),
      shadows,
      projectionSeconds: bulk.projectionSeconds,
      indexSeconds: bulk.indexSeconds,
    });

    // The planner's statistics of the new tables, before anything reads them; autovacuum again.
    for (const t of live) {
      await client.query(`ALTER TABLE ${shadows[t]} RESET (autovacuum_enabled, toast.autovacuum_enabled)`);
      await client.query(`ANALYZE ${shadows[t]}`);
    }

    if (options.switchOver === false) {
      options.onProgress?.({ events, checkpoint: after, seconds: elapsed(started), phase: 'done' });
      return done();
    }
    options.onProgress?.({ events, checkpoint: after, seconds: elapsed(started), phase: 'switch-over' });

    const checkpoints = new PgCheckpointStore(options.ownerPool);
    await inTransaction(client, async () => {
      const names = options.projections.map((p) => checkpointName(p.name));
      for (const name of names) {
        await client.query(`INSERT INTO subscription_checkpoints (subscription_name, checkpoint) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          name,
          START_CHECKPOINT,
        ]);
      }
      await client.query('SELECT 1 FROM subscription_checkpoints WHERE subscription_name = ANY($1) ORDER BY subscription_name FOR UPDATE', [names]);
      await client.query(`LOCK TABLE ${live.join(', ')} IN ACCESS EXCLUSIVE MODE`);
      await applyUntilEmpty(client);
      for (const t of live) {
        const oldIndexes = await indexesOf(client, t);
        await client.query(`DROP TABLE ${t}`);
        await client.query(`ALTER TABLE ${shadows[t]} RENAME TO ${t}`);
        // Give indexes and the primary key their usual names back, so later migrations find them.
        for (const idx of oldIndexes) {
          if (idx.primary) await client.query(`ALTER TABLE ${t} RENAME CONSTRAINT ${idx.name}${SHADOW_INDEX_MARK} TO ${idx.name}`);
          else await client.query(`ALTER INDEX ${idx.name}${SHADOW_INDEX_MARK} RENAME TO ${idx.name}`);
        }
        await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${APPLICATION_ROLE}`);
      }
      for (const name of names) await checkpoints.save(name, after ?? START_CHECKPOINT, client);
    });
    options.onProgress?.({ events, checkpoint: after, seconds: elapsed(started), phase: 'done' });
    return done();
  } finally {
    client.release();
  }
}

/** How many pages the reader may be ahead of the slowest lane. */
const PAGES_AHEAD = 3;

/**
 * Relative cost of a projection's batch, measured on the bench's log (docs/benchmarks.md, issue
 * 16): lanes are filled heaviest first so that no lane carries two of the heavy ones.
 */
const LANE_WEIGHT: Record<string, number> = { audit: 3, children: 3, indicators: 3, cases: 2, 'child-search': 1 };

/** The projections spread over `count` lanes, heaviest first, each to the lane with the least weight so far. */
export function planLanes<P extends { name: string }>(projections: readonly P[], count: number): P[][] {
  const lanes = Array.from({ length: Math.max(1, Math.min(count, projections.length)) }, () => ({ weight: 0, projections: [] as P[] }));
  const weight = (p: P) => LANE_WEIGHT[p.name] ?? 2;
  for (const p of [...projections].sort((a, b) => weight(b) - weight(a))) {
    const lane = lanes.reduce((best, l) => (l.weight < best.weight ? l : best));
    lane.projections.push(p);
    lane.weight += weight(p);
  }
  // In the order they were asked for within each lane (a lane applies its projections in turn).
  return lanes.map((l) => projections.filter((p) => l.projections.includes(p)));
}

interface LanesResult {
  progress: RebuildProgress;
  projectionSeconds: Record<string, number>;
  indexSeconds: number;
}

async function applyInLanes(
  options: RebuildOptions,
  main: PoolClient,
  ctx: ProjectionContext,
  batchSize: number,
  deferredIndexes: readonly DeferredIndex[],
  started: bigint,
  onProgress: (p: RebuildProgress) => void,
): Promise<LanesResult> {
  const poolMax = (options.ownerPool as Pool & { options?: { max?: number } }).options?.max ?? 10;
  const wanted = options.lanes ?? MAX_LANES;
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`rebuild: lanes must be a positive whole number, not ${wanted}`);
  const laneCount = Math.max(1, Math.min(options.projections.length, poolMax, wanted));
  const plan = planLanes(options.projections, laneCount);
  // Each lane has its own bulk scratch (ProjectionContext.bulk): what a projection keeps across batches stays on its connection.
  const lanes: { client: PoolClient; projections: Projection[]; done: number; ctx: ProjectionContext }[] = [];
  const projectionSeconds: Record<string, number> = Object.fromEntries(options.projections.map((p) => [p.name, 0]));
  let indexSeconds = 0;
  try {
    for (const projections of plan) {
      const client = lanes.length === 0 ? main : await options.ownerPool.connect();
      lanes.push({ client, projections, done: 0, ctx: { ...ctx, bulk: new Map() } });
    }
    // The deferred indexes are built by these sessions at the end: sorted in memory rather than in temporary files.
    for (const lane of lanes) await lane.client.query(`SET synchronous_commit = off; SET maintenance_work_mem = '${INDEX_BUILD_MEMORY}'`);

    const pages: ReadAllResult[] = [];
    let base = 0; // index of pages[0]
    let end: number | null = null; // number of pages once the log is read
    let failed: { err: unknown } | null = null;
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const w of [...waiters]) w();
      waiters.clear();
    };
    const until = async (ready: () => boolean): Promise<void> => {
      while (!ready() && !failed) await new Promise<void>((r) => waiters.add(r));
    };
    let progress: RebuildProgress = { events: 0, checkpoint: null };
    const applied: Record<string, number> = Object.fromEntries(options.projections.map((p) => [p.name, 0]));
    let reported = 0;
    /** Lanes through the log (building their indexes or helping the others'). */
    let lanesThrough = 0;
    const settleProgress = () => {
      const slowest = Math.min(...lanes.map((l) => l.done));
      while (reported < slowest) {
        const page = pages[reported - base];
        if (!page) break;
        progress = { events: progress.events + page.events.length, checkpoint: page.checkpoint };
        reported++;
        // Once a lane is through and builds its indexes, the others' progress is reported under that phase (it does not go back to 'bulk').
        onProgress({ ...progress, seconds: elapsed(started), perProjection: { ...applied }, phase: lanesThrough > 0 ? 'indexes' : 'bulk' });
      }
      // Pages every lane has applied are no longer kept.
      while (base < slowest) {
        pages.shift();
        base++;
      }
    };

    const reader = (async () => {
      let after: string | null = null;
      for (;;) {
        await until(() => base + pages.length - Math.min(...lanes.map((l) => l.done)) < PAGES_AHEAD);
        if (failed) return;
        const page = await options.store.readAll({ after, maxCount: batchSize });
        if (page.events.length === 0) {
          end = base + pages.length;
          wake();
          return;
        }
        pages.push(page);
        after = page.checkpoint;
        wake();
      }
    })();
    const indexJobs: DeferredIndex[] = [];
    const buildIndexes = async (lane: (typeof lanes)[number]): Promise<void> => {
      const mine = new Set(lane.projections.flatMap((p) => p.tables));
      indexJobs.push(...deferredIndexes.filter((d) => mine.has(d.table) && !d.built));
      lanesThrough++;
      if (lanesThrough === 1) onProgress({ ...progress, seconds: elapsed(started), perProjection: { ...applied }, phase: 'indexes' });
      wake();
      for (;;) {
        await until(() => indexJobs.length > 0 || lanesThrough === lanes.length);
        const job = indexJobs.shift();
        if (failed || !job) return;
        const t0 = process.hrtime.bigint();
        await lane.client.query(job.sql);
        indexSeconds += elapsed(t0);
        job.built = true;
      }
    };
    const runLane = async (lane: (typeof lanes)[number]): Promise<void> => {
      for (;;) {
        await until(() => lane.done < base + pages.length || end !== null);
        if (failed) return;
        if (end !== null && lane.done >= end) {
          // What the lane's projections kept across batches is written now, on the lane's connection.
          for (const p of lane.projections) {
            if (!p.finishBulk) continue;
            const t0 = process.hrtime.bigint();
            await inTransaction(lane.client, (tx) => p.finishBulk!(tx, lane.ctx));
            projectionSeconds[p.name]! += elapsed(t0);
          }
          return buildIndexes(lane);
        }
        const page = pages[lane.done - base];
        if (!page) throw new Error(`rebuild: page ${lane.done} is no longer kept`);
        await inTransaction(lane.client, async (tx) => {
          for (const p of lane.projections) {
            const t0 = process.hrtime.bigint();
            await p.apply(page.events, tx, lane.ctx);
            projectionSeconds[p.name]! += elapsed(t0);
            applied[p.name]! += page.events.length;
          }
        });
        lane.done++;
        settleProgress();
        wake();
      }
    };
    const fail = (err: unknown) => {
      failed ??= { err };
      wake();
    };
    await Promise.all([reader.catch(fail), ...lanes.map((l) => runLane(l).catch(fail))]);
    if (failed) throw (failed as { err: unknown }).err;
    return { progress, projectionSeconds, indexSeconds };
  } finally {
    for (const lane of lanes) await lane.client.query('RESET synchronous_commit; RESET maintenance_work_mem').catch(() => undefined);
    for (const lane of lanes.slice(1)) lane.client.release();
  }
}
/** Memory for each lane's index builds (a million audit entries' keys fit). */
const INDEX_BUILD_MEMORY = '128MB';
/** Lanes beyond two cores' worth only add contention. */
const MAX_LANES = 3;

async function createIndex(client: PoolClient, sql: string, idx: IndexDef): Promise<string> {
  await client.query(sql);
  return `${idx.name}${SHADOW_INDEX_MARK}`;
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Drops the shadow tables a rebuild left (after `switchOver: false`, or a crashed rebuild). */
export async function dropShadows(ownerPool: Pool, shadows: Record<string, string>): Promise<void> {
  for (const shadow of Object.values(shadows)) await ownerPool.query(`DROP TABLE IF EXISTS ${shadow}`);
}

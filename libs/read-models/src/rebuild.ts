import type { Pool, PoolClient } from 'pg';
import type { EventStore, ReadAllResult } from '@childledger/event-store';
import { PgCheckpointStore } from '@childledger/event-store';
import { APPLICATION_ROLE, inTransaction } from '@childledger/database';
import type { Projection, ProjectionContext } from './projection';
import { checkpointName, START_CHECKPOINT } from './projection-runner';
import type { UnitResolver } from './unit-resolver';

export interface RebuildProgress {
  events: number;
  /** Global position of the last event applied. */
  checkpoint: string | null;
}

export interface RebuildOptions {
  /** The event log, read through the platform's port. */
  store: EventStore;
  /** A pool of the owner role: creating, renaming and dropping tables needs it. */
  ownerPool: Pool;
  projections: readonly Projection[];
  units: UnitResolver;
  batchSize?: number;
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
    const bulk = await applyInLanes(options, client, ctx, batchSize, deferredIndexes, (p) => options.onProgress?.(p));
    after = bulk.checkpoint;
    events = bulk.events;

    if (options.switchOver === false) {
      return { events, checkpoint: after, seconds: elapsed(started), shadows };
    }

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
    options.onProgress?.({ events, checkpoint: after });
    return { events, checkpoint: after, seconds: elapsed(started), shadows };
  } finally {
    client.release();
  }
}

/** How many pages the reader may be ahead of the slowest lane. */
const PAGES_AHEAD = 3;

async function applyInLanes(
  options: RebuildOptions,
  main: PoolClient,
  ctx: ProjectionContext,
  batchSize: number,
  deferredIndexes: readonly DeferredIndex[],
  onProgress: (p: RebuildProgress) => void,
): Promise<RebuildProgress> {
  const poolMax = (options.ownerPool as Pool & { options?: { max?: number } }).options?.max ?? 10;
  const laneCount = Math.max(1, Math.min(options.projections.length, poolMax, MAX_LANES));
  const lanes: { client: PoolClient; projections: Projection[]; done: number }[] = [{ client: main, projections: [], done: 0 }];
  try {
    while (lanes.length < laneCount) lanes.push({ client: await options.ownerPool.connect(), projections: [], done: 0 });
    options.projections.forEach((p, i) => lanes[i % lanes.length]?.projections.push(p));
    for (const lane of lanes) await lane.client.query('SET synchronous_commit = off');

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
    let reported = 0;
    const settleProgress = () => {
      const slowest = Math.min(...lanes.map((l) => l.done));
      while (reported < slowest) {
        const page = pages[reported - base];
        if (!page) break;
        progress = { events: progress.events + page.events.length, checkpoint: page.checkpoint };
        reported++;
        onProgress(progress);
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
    let lanesThrough = 0;
    const buildIndexes = async (lane: (typeof lanes)[number]): Promise<void> => {
      const mine = new Set(lane.projections.flatMap((p) => p.tables));
      indexJobs.push(...deferredIndexes.filter((d) => mine.has(d.table) && !d.built));
      lanesThrough++;
      wake();
      for (;;) {
        await until(() => indexJobs.length > 0 || lanesThrough === lanes.length);
        const job = indexJobs.shift();
        if (failed || !job) return;
        await lane.client.query(job.sql);
        job.built = true;
      }
    };
    const runLane = async (lane: (typeof lanes)[number]): Promise<void> => {
      for (;;) {
        await until(() => lane.done < base + pages.length || end !== null);
        if (failed) return;
        if (end !== null && lane.done >= end) return buildIndexes(lane);
        const page = pages[lane.done - base];
        if (!page) throw new Error(`rebuild: page ${lane.done} is no longer kept`);
        await inTransaction(lane.client, async (tx) => {
          for (const p of lane.projections) await p.apply(page.events, tx, ctx);
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
    return progress;
  } finally {
    for (const lane of lanes) await lane.client.query('SET synchronous_commit = on').catch(() => undefined);
    for (const lane of lanes.slice(1)) lane.client.release();
  }
}
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

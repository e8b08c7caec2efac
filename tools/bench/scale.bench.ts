// `npm run bench -- scale` (issue 16, not in `npm test`): a log of BENCH_SCALE_EVENTS events
// (default 20,000,000) generated in the events' real shapes (read-model-workload.ts: the
// projections bench's generator, with the `event_streams` rows the store's append path writes),
// grown in steps; at each checkpoint (a quarter, a half and all of it, or BENCH_SCALE_CHECKPOINTS):
//  - disk per event of the log (table, indexes) and of each read model, against the events as
//    JSON text (the plainest way to keep them);
//  - the read models brought up to the log: rebuilt from scratch at the first checkpoint (and at
//    every one with BENCH_SCALE_REBUILD=every), else caught up by the live projector; events/s
//    against the store's raw read of the same events in the same run;
//  - p95 of the indicator queries (a province for a year; by commune × sex), a child's audit trail
//    and the child search (a name typed with the Vietnamese keyboard off), each with a baseline;
//  - commit-to-read-model lag p99 while 16 writers append at the command benchmark's rate.
// Then each figure's growth over the checkpoints (constant, log n or linear) and its value at
// BENCH_SCALE_EXTRAPOLATE_TO events (default 100,000,000).
import { statfs } from 'node:fs/promises';
import * as os from 'node:os';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, runMigrations } from '@childledger/database';
import { decodeTelex, encodeTelex, foldVietnameseName, typedNameReadings } from '@childledger/domain';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS } from '@childledger/event-store';
import {
  AuditTrailQueries,
  checkpointName,
  ChildSearchQueries,
  Jurisdiction,
  Projection,
  PROJECTIONS,
  ProjectionRunner,
  READ_MODEL_MIGRATIONS,
  rebuildProjections,
  UnitResolver,
} from '@childledger/read-models';
import { BenchContext, BenchFigure, figure, percentile, readWholeLog, round } from './bench-support';
import { generateSql, hanoiCommunes, measureLag, PER_CHILD, provinceByCommuneSex, provinceYear, sampleAgainst, timed } from './read-model-workload';
import { extrapolateFigures, SizedFigure } from './scale-growth';

const TOTAL = Number(process.env['BENCH_SCALE_EVENTS'] ?? 20_000_000);
const CHECKPOINTS = (process.env['BENCH_SCALE_CHECKPOINTS']?.split(',').map(Number) ?? [TOTAL / 4, TOTAL / 2, TOTAL])
  .map((n) => Math.round(n / PER_CHILD) * PER_CHILD)
  .filter((n, i, all) => n > 0 && n <= TOTAL && all.indexOf(n) === i)
  .sort((a, b) => a - b);
const REBUILD_EVERY = process.env['BENCH_SCALE_REBUILD'] === 'every';
/** Checkpoints above this size measure the log only: no projection, queries or lag. */
const READ_MODELS_UNTIL = Number(process.env['BENCH_SCALE_READ_MODELS_UNTIL'] ?? Infinity);
const EXTRAPOLATE_TO = Number(process.env['BENCH_SCALE_EXTRAPOLATE_TO'] ?? 100_000_000);
/** The command benchmark's registrations per second on this machine (commands.register.16c: 845–929/s), over its 16 connections. */
const LAG_RATE = Number(process.env['BENCH_SCALE_LAG_RATE'] ?? 900);
const LAG_WRITERS = 16;
const LAG_SECONDS = 10;
/** Stop growing the log (and say so) when the disk holding the database has less than this left. */
const MIN_FREE_GB = Number(process.env['BENCH_SCALE_MIN_FREE_GB'] ?? 12);
const BATCH = 5000;
/** Children per generating statement (PER_CHILD events each). */
const CHUNK = 25_000;
const GEN_WORKERS = Number(process.env['BENCH_SCALE_GEN_WORKERS'] ?? 2);
const INSPECTOR: Jurisdiction = { role: 'inspector', provinces: ['01', '22'], communes: [] };
const HANOI_INSPECTOR: Jurisdiction = { role: 'inspector', provinces: ['01'], communes: [] };

/** Bytes of one relation group: tables (heap, TOAST, maps) and their indexes. */
interface Footprint {
  tableBytes: number;
  indexBytes: number;
}

async function footprint(pool: { query: (sql: string, v: unknown[]) => Promise<{ rows: Footprint[] }> }, tables: readonly string[]): Promise<Footprint> {
  const { rows } = await pool.query(
    `SELECT coalesce(sum(pg_table_size(t::regclass)), 0)::float8 AS "tableBytes", coalesce(sum(pg_indexes_size(t::regclass)), 0)::float8 AS "indexBytes"
       FROM unnest($1::text[]) AS t`,
    [tables],
  );
  return rows[0]!;
}

function seconds(n: number): string {
  if (!Number.isFinite(n)) return '?';
  return n >= 90 ? `${Math.round(n / 60)} min` : `${Math.round(n)} s`;
}

async function freeGb(): Promise<number> {
  const s = await statfs(os.tmpdir());
  return (s.bavail * s.bsize) / 2 ** 30;
}

export async function run(ctx: BenchContext): Promise<void> {
  await runMigrations(ctx.url, [...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
  const owner = createPool(ctx.url, { role: null, max: 4 });
  const gen = createPool(ctx.url, { role: null, max: GEN_WORKERS });
  const pool = createPool(ctx.url, { max: 24 });
  const store = createPostgresEventStore({ pool, batchSize: BATCH });
  const units = new UnitResolver(loadAdministrativeUnits());
  const audit = new AuditTrailQueries(pool);
  const search = new ChildSearchQueries(pool);
  const hanoi = hanoiCommunes();
  const started = Date.now();
  ctx.log(
    `checkpoints at ${CHECKPOINTS.join(', ')} events; read models ${REBUILD_EVERY ? 'rebuilt at each' : 'rebuilt at the first, caught up at the others'}`,
  );

  /** Every figure with its log size, for the growth fits. */
  const measured: SizedFigure[] = [];
  const emit = (f: BenchFigure, events: number) => {
    ctx.emit({ ...f, events });
    measured.push({ bench: f.bench, value: f.value, unit: f.unit, events });
  };

  let children = 0; // generated so far
  let logEvents = 0; // in the log (generated + appended by the lag runs)
  let reached = 0;
  for (const [step, target] of CHECKPOINTS.entries()) {
    const free = await freeGb();
    if (free < MIN_FREE_GB) {
      ctx.log(`STOPPED before ${target} events: ${round(free, 1)} GB free on the disk, under BENCH_SCALE_MIN_FREE_GB=${MIN_FREE_GB}`);
      break;
    }

    // 1. Grow the log to `target` generated events: chunks of CHUNK children, GEN_WORKERS at once.
    const last = target / PER_CHILD;
    const from = children;
    const g = await timed(async () => {
      let next = children + 1;
      let done = children;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: GEN_WORKERS }, async () => {
          while (next <= last) {
            const first = next;
            const end = Math.min(last, first + CHUNK - 1);
            next = end + 1;
            const client = await gen.connect();
            try {
              await client.query('BEGIN');
              await client.query(generateSql(first, end));
              // The rows the append path keeps per stream: the child's seven events, its case's three.
              await client.query(
                `INSERT INTO event_streams (stream_id, revision)
                 SELECT 'child-b' || i, 6 FROM generate_series(${first}, ${end}) i UNION ALL SELECT 'case-b' || i, 2 FROM generate_series(${first}, ${end}) i`,
              );
              await client.query('COMMIT');
            } finally {
              client.release();
            }
            done += end - first + 1;
            const rate = ((done - from) * PER_CHILD) / ((Date.now() - t0) / 1000);
            ctx.log(
              `  generated ${done * PER_CHILD} / ${target} events, ${Math.round(rate)} events/s, ETA ${seconds(((last - done) * PER_CHILD) / rate)} (${round(await freeGb(), 1)} GB free)`,
            );
          }
        }),
      );
      children = last;
    });
    logEvents += (last - from) * PER_CHILD;
    const generated = (last - from) * PER_CHILD;
    if (generated > 0)
      emit({ bench: 'scale.generate', value: round(generated / g.seconds), unit: 'events/s', seconds: round(g.seconds, 1), generated }, logEvents);
    await owner.query('VACUUM ANALYZE events');
    await owner.query('VACUUM ANALYZE event_streams');

    // Disk per event of the log; baseline = the events as JSON text (a sample).
    const json = (
      await owner.query<{ bytes: number }>(
        `SELECT avg(octet_length(stream_id) + octet_length(event_type) + octet_length(data::text) + octet_length(metadata::text) + 16 + 8 + 8)::float8 AS bytes
           FROM events TABLESAMPLE SYSTEM (1)`,
      )
    ).rows[0]!.bytes;
    const logSize = await footprint(owner, ['events', 'event_streams']);
    const perEvent = (b: number) => b / logEvents;
    emit(
      figure(
        'scale.disk.log',
        perEvent(logSize.tableBytes + logSize.indexBytes),
        'bytes/event',
        json,
        {
          table: round(perEvent(logSize.tableBytes), 1),
          indexes: round(perEvent(logSize.indexBytes), 1),
          total_gb: round((logSize.tableBytes + logSize.indexBytes) / 2 ** 30, 2),
          note: 'events + event_streams; baseline = the event as JSON text (id, position, stream, type, data, metadata), 1 % sample',
        },
        true,
      ),
      logEvents,
    );
    if (target > READ_MODELS_UNTIL) {
      // Beyond BENCH_SCALE_READ_MODELS_UNTIL only the log grows (when projecting it would not fit the time there is).
      reached = target;
      ctx.log(`checkpoint ${target} done (the log only), ${seconds((Date.now() - started) / 1000)} since the start`);
      continue;
    }

    // 2. The read models up to the log, against the raw read of the same events.
    const rebuild = step === 0 || REBUILD_EVERY;
    const startAt = rebuild
      ? null
      : ((await owner.query<{ checkpoint: string }>('SELECT checkpoint FROM subscription_checkpoints WHERE subscription_name = $1', [checkpointName('audit')]))
          .rows[0]?.checkpoint ?? null);
    ctx.log(`raw read of the ${rebuild ? 'whole log' : 'new events'}`);
    const raw = await timed(() => readWholeLog(store, BATCH, startAt));
    const rawRate = raw.value / raw.seconds;
    ctx.log(`  ${raw.value} events in ${round(raw.seconds, 1)} s (${Math.round(rawRate)} events/s)`);
    const spent: Record<string, number> = {};
    const timedProjections: Projection[] = PROJECTIONS.map((p) => ({
      ...p,
      apply: async (events, tx, c) => {
        const t0 = process.hrtime.bigint();
        await p.apply(events, tx, c);
        spent[p.name] = (spent[p.name] ?? 0) + Number(process.hrtime.bigint() - t0) / 1e9;
      },
    }));
    const perProjection = () => Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, round(v, 1)]));
    if (rebuild) {
      ctx.log(`rebuilding every read model (${PROJECTIONS.map((p) => p.name).join(', ')}) from ${logEvents} events`);
      const t0 = Date.now();
      let lastLog = 0;
      const r = await timed(() =>
        rebuildProjections({
          store,
          ownerPool: owner,
          projections: timedProjections,
          units,
          batchSize: BATCH,
          onProgress: (p) => {
            if (p.events - lastLog < 250_000) return;
            lastLog = p.events;
            const rate = p.events / ((Date.now() - t0) / 1000);
            ctx.log(`  rebuild: ${p.events} / ${raw.value} events, ${Math.round(rate)} events/s, ETA ${seconds((raw.value - p.events) / rate)}`);
          },
        }),
      );
      ctx.log(`  seconds per projection (lanes overlap): ${JSON.stringify(perProjection())}`);
      emit(
        figure('scale.rebuild.all', r.value.events / r.seconds, 'events/s', rawRate, {
          seconds: round(r.seconds, 1),
          rebuilt: r.value.events,
          per_projection_s: perProjection(),
        }),
        logEvents,
      );
    } else {
      ctx.log(`catching the read models up with ${raw.value} new events (the live projector, batches of ${BATCH})`);
      const applied: Record<string, number> = {};
      const t0 = Date.now();
      const runner = new ProjectionRunner({
        store,
        pool,
        projections: timedProjections,
        units,
        batchSize: BATCH,
        onBatch: (b) => (applied[b.projection] = (applied[b.projection] ?? 0) + b.events),
      });
      const ticker = setInterval(() => {
        const slowest = Math.min(...PROJECTIONS.map((p) => applied[p.name] ?? 0));
        const rate = slowest / ((Date.now() - t0) / 1000);
        ctx.log(
          `  catch-up: slowest projection at ${slowest} / ${raw.value} events, ${Math.round(rate)} events/s, ETA ${seconds((raw.value - slowest) / rate)}`,
        );
      }, 30_000);
      const c = await timed(async () => {
        await runner.start();
        await runner.caughtUp();
      });
      clearInterval(ticker);
      await runner.stop();
      ctx.log(`  seconds per projection (they run side by side): ${JSON.stringify(perProjection())}`);
      emit(
        figure('scale.catchup.all', raw.value / c.seconds, 'events/s', rawRate, {
          seconds: round(c.seconds, 1),
          caught_up: raw.value,
          per_projection_s: perProjection(),
          note: 'the live projector over the events added since the last checkpoint',
        }),
        logEvents,
      );
    }
    await owner.query('ANALYZE');

    // 3. Disk per event of each read model (the log's was measured after its growth).
    let readModels = 0;
    for (const p of PROJECTIONS) {
      const f = await footprint(owner, p.tables);
      readModels += f.tableBytes + f.indexBytes;
      emit(
        {
          bench: `scale.disk.rm.${p.name}`,
          value: round(perEvent(f.tableBytes + f.indexBytes), 1),
          unit: 'bytes/event',
          table: round(perEvent(f.tableBytes), 1),
          indexes: round(perEvent(f.indexBytes), 1),
          total_gb: round((f.tableBytes + f.indexBytes) / 2 ** 30, 2),
          tables: p.tables,
        },
        logEvents,
      );
    }
    emit(
      figure(
        'scale.disk.all',
        perEvent(logSize.tableBytes + logSize.indexBytes + readModels),
        'bytes/event',
        json,
        {
          read_models: round(perEvent(readModels), 1),
          total_gb: round((logSize.tableBytes + logSize.indexBytes + readModels) / 2 ** 30, 2),
          free_gb: round(await freeGb(), 1),
        },
        true,
      ),
      logEvents,
    );

    // 4. Query p95s, each against its baseline in the same run.
    const p95 = (name: string, s: { value: number[]; baseline: number[] }, extra: Record<string, unknown>) =>
      emit(
        figure(
          name,
          percentile(s.value, 95),
          'ms',
          percentile(s.baseline, 95),
          { p50: round(percentile(s.value, 50)), samples: s.value.length, ...extra },
          true,
        ),
        logEvents,
      );
    p95(
      'scale.query.indicators.province_year.p95',
      await sampleAgainst(
        30,
        () => provinceYear.query(pool),
        () => provinceYear.baseline(pool),
      ),
      {
        children_in_province: Math.round((children * 4) / 5),
        note: 'baseline = count(*) of the province in rm_children',
      },
    );
    p95(
      'scale.query.indicators.province_by_commune_sex.p95',
      await sampleAgainst(
        30,
        () => provinceByCommuneSex.query(pool, hanoi),
        () => provinceByCommuneSex.baseline(pool),
      ),
      { rows: hanoi.length * 3, note: 'baseline = GROUP BY commune, sex over rm_children' },
    );
    const someChild = () => `b${1 + Math.floor(Math.random() * children)}`;
    const trailOf: string[] = Array.from({ length: 200 }, someChild);
    p95(
      'scale.query.audit_trail.p95',
      await sampleAgainst(
        trailOf.length,
        (i) => audit.events(INSPECTOR, { childId: trailOf[i]! }, 101),
        (i) => store.readStream(`child-${trailOf[i]!}`),
      ),
      { note: "AuditTrailQueries.events (a province inspector, the child's whole trail); baseline = readStream of the child's stream" },
    );
    // A child's whole name typed with the Vietnamese keyboard off (Telex: "Nguyeenx Thij Thu Haf 123"),
    // as the query API reads it, against the plainest SQL: the folded words as LIKEs, same order and limit.
    const typed: string[] = Array.from({ length: 100 }, () => encodeTelex(`Nguyễn Thị Thu Hà ${someChild().slice(1)}`));
    const plainSearch = (name: string) => {
      const words = foldVietnameseName(decodeTelex(name)).split(' ');
      return pool.query(
        `SELECT child_id, full_name FROM rm_child_search s WHERE s.status = 'active' AND s.province_code = ANY($1::text[]) AND ${words.map((_, i) => `s.name_folded LIKE $${i + 2}`).join(' AND ')}
          ORDER BY s.name_folded, s.child_id LIMIT 51`,
        [HANOI_INSPECTOR.provinces, ...words.map((w) => `% ${w}%`)],
      );
    };
    p95(
      'scale.query.search.name_telex.p95',
      await sampleAgainst(
        typed.length,
        (i) => search.search(HANOI_INSPECTOR, { nameReadings: typedNameReadings(typed[i]!), limit: 51 }),
        (i) => plainSearch(typed[i]!),
      ),
      { example: typed[0], note: 'ChildSearchQueries.search, a province inspector, 51 rows; baseline = the folded words as LIKEs over rm_child_search' },
    );
    const common = encodeTelex('Nguyễn Thị Thu Hà');
    p95(
      'scale.query.search.common_name_telex.p95',
      await sampleAgainst(
        20,
        () => search.search(HANOI_INSPECTOR, { nameReadings: typedNameReadings(common), limit: 51 }),
        () => plainSearch(common),
      ),
      { example: common, note: "every generated child bears this name: the first page of the province's matches (worst case)" },
    );

    // 5. Lag under the command benchmark's load.
    const perWriter = Math.round((LAG_RATE * LAG_SECONDS) / LAG_WRITERS);
    ctx.log(`lag: ${LAG_WRITERS} writers appending ${LAG_RATE}/s for ${LAG_SECONDS} s`);
    const lag = await measureLag({ store, pool, units, writers: LAG_WRITERS, perWriter, rate: LAG_RATE, prefix: `lag${step}` });
    emit(
      figure(
        'scale.lag.p99',
        percentile(lag.lags, 99),
        'ms',
        percentile(lag.lags, 50),
        {
          append_rate: round(lag.rate),
          lagged: lag.lags.length,
          max: round(lag.lags.at(-1) ?? 0),
          note: 'commit of the audit batch − recorded_at; baseline = p50 of the same run',
        },
        true,
      ),
      logEvents,
    );
    logEvents += lag.appended;
    reached = target;
    ctx.log(`checkpoint ${target} done, ${seconds((Date.now() - started) / 1000)} since the start`);
  }

  // 6. Growth over the checkpoints and the value at EXTRAPOLATE_TO events (scale-extrapolate.ts
  // does the same from a run's saved lines, e.g. one stopped before its last checkpoint).
  for (const line of extrapolateFigures(measured, EXTRAPOLATE_TO)) ctx.emit(line as unknown as BenchFigure);
  ctx.log(`largest checkpoint reached: ${reached} generated events (asked: ${TOTAL})`);
  await store.close();
  await pool.end();
  await gen.end();
  await owner.end();
}

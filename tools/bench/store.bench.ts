// Event store throughput and latency, each against raw SQL through `pg` on the same rows.
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool, runMigrations } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS, NewEvent, PostgresEventStore } from '@childledger/event-store';
import { BenchContext, figure, percentile, round, timedWorkers } from './bench-support';

const WRITERS = 8;
const SINGLE_PER_WRITER = 2_500;
const BATCHES = 600;
const BATCH_SIZE = 100;
const CATCHUP_TARGET = 250_000;
const READ_BATCH = 5_000;

function event(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ChildRegistered',
    data: { childId: randomUUID(), fullName: 'Nguyễn Thị Thu Hà', dateOfBirth: '2016-03-14', sex: 'F', residence: { communeCode: '00004', effectiveFrom: '2024-01-01' }, n },
    metadata: { actor: { userId: 'bench', role: 'data_officer', unit: '00004' }, correlationId: randomUUID() },
  };
}

const RAW_INSERT = `INSERT INTO events_raw (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata) VALUES `;
function rawValues(rows: { stream: string; revision: number; e: NewEvent }[], params: unknown[]): string {
  return rows
    .map(({ stream, revision, e }) => {
      const b = params.length;
      params.push(stream, revision, e.id, e.type, 1, JSON.stringify(e.data), JSON.stringify(e.metadata));
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7})`;
    })
    .join(', ');
}

export async function run(ctx: BenchContext): Promise<void> {
  await runMigrations(ctx.url, EVENT_STORE_MIGRATIONS);
  const owner = new Pool({ connectionString: ctx.url, max: 4 });
  // The baseline table: the same columns and keys as `events`, written by plain INSERTs.
  await owner.query(`CREATE TABLE events_raw (LIKE events INCLUDING ALL)`);
  await owner.query(`GRANT SELECT, INSERT ON events_raw TO childledger_app`);
  const pool = createPool(ctx.url, { max: WRITERS + 4 });
  const store = new PostgresEventStore({ pool });

  // 1. Single-event appends, 8 concurrent writers, each on its own streams.
  ctx.log(`single appends: ${WRITERS} writers × ${SINGLE_PER_WRITER}`);
  const revisions = new Map<string, number>();
  const single = await timedWorkers(WRITERS, SINGLE_PER_WRITER, async (w, i) => {
    const stream = `child-w${w}-${i % 50}`;
    const rev = revisions.get(stream) ?? -1;
    await store.append(stream, [event(i)], { expectedRevision: rev < 0 ? 'no_stream' : rev });
    revisions.set(stream, rev + 1);
  });
  const rawRevisions = new Map<string, number>();
  const rawSingle = await timedWorkers(WRITERS, SINGLE_PER_WRITER, async (w, i) => {
    const stream = `child-w${w}-${i % 50}`;
    const rev = (rawRevisions.get(stream) ?? -1) + 1;
    rawRevisions.set(stream, rev);
    const params: unknown[] = [];
    await pool.query(RAW_INSERT + rawValues([{ stream, revision: rev, e: event(i) }], params), params);
  });
  const n = WRITERS * SINGLE_PER_WRITER;
  ctx.emit(figure('store.append.single.8w', n / single.seconds, 'events/s', n / rawSingle.seconds, { events: n }));
  ctx.emit(
    figure('store.append.single.8w.p99', percentile(single.latencies, 99), 'ms', percentile(rawSingle.latencies, 99), { p50: round(percentile(single.latencies, 50)) }, true),
  );

  // 2. Appends of 100 events.
  ctx.log(`batch appends: ${BATCHES} × ${BATCH_SIZE}`);
  const batch = await timedWorkers(4, BATCHES / 4, async (w, i) => {
    await store.append(`batch-${w}-${i}`, Array.from({ length: BATCH_SIZE }, (_, k) => event(k)), { expectedRevision: 'no_stream' });
  });
  const rawBatch = await timedWorkers(4, BATCHES / 4, async (w, i) => {
    const params: unknown[] = [];
    const rows = Array.from({ length: BATCH_SIZE }, (_, k) => ({ stream: `batch-${w}-${i}`, revision: k, e: event(k) }));
    await pool.query(RAW_INSERT + rawValues(rows, params), params);
  });
  const nb = BATCHES * BATCH_SIZE;
  ctx.emit(figure('store.append.batch100', nb / batch.seconds, 'events/s', nb / rawBatch.seconds, { events: nb }));

  // 3. Catch-up read of the whole global log.
  const { rows } = await owner.query<{ n: string }>('SELECT count(*) AS n FROM events');
  let total = Number(rows[0]!.n);
  ctx.log(`filling the log to ${CATCHUP_TARGET} events (has ${total})`);
  const fillers = Math.ceil((CATCHUP_TARGET - total) / 1000);
  for (let i = 0; i < fillers; i += 4) {
    await Promise.all(
      Array.from({ length: Math.min(4, fillers - i) }, (_, k) =>
        store.append(`fill-${i + k}`, Array.from({ length: 1000 }, (_, j) => event(j)), { expectedRevision: 'no_stream' }),
      ),
    );
  }
  total = Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
  await owner.query(`INSERT INTO events_raw SELECT * FROM events WHERE NOT EXISTS (SELECT 1 FROM events_raw r WHERE r.event_id = events.event_id)`).catch(() => undefined);
  await owner.query('VACUUM ANALYZE events');
  await owner.query('VACUUM ANALYZE events_raw');

  ctx.log(`catch-up read of ${total} events`);
  let t0 = process.hrtime.bigint();
  let read = 0;
  let after: string | null = null;
  for (;;) {
    const page = await store.readAll({ after, maxCount: READ_BATCH });
    if (page.events.length === 0) break;
    read += page.events.length;
    after = page.checkpoint;
  }
  const storeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // Baseline: keyset pagination over the same table with a plain SELECT, rows parsed by `pg` alike.
  t0 = process.hrtime.bigint();
  let rawRead = 0;
  let last = '0';
  for (;;) {
    const res = await pool.query(
      `SELECT global_position::text AS p, stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at
         FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
      [last, READ_BATCH],
    );
    if (res.rows.length === 0) break;
    rawRead += res.rows.length;
    last = res.rows[res.rows.length - 1].p;
  }
  const rawSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  ctx.emit(figure('store.read.catchup', read / storeSeconds, 'events/s', rawRead / rawSeconds, { events: read }));

  await store.close();
  await pool.end();
  await owner.end();
}

// Event store throughput and latency, each against raw SQL through `pg` on the same rows.
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool, runMigrations } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore, NewEvent } from '@childledger/event-store';
import {
  chainStep,
  databaseLogSource,
  EncryptingPostgresEventStore,
  eventDigest,
  GENESIS,
  LocalKeyEncryptionKey,
  LogSealer,
  PgDataKeyring,
  SealKey,
  STORED_ROW_SQL,
  StoredEventRow,
  TRUST_MIGRATIONS,
  trustedSealKeys,
  verifyLog,
} from '@childledger/trust';
import { BenchContext, figure, percentile, readWholeLog, round, timedWorkers } from './bench-support';

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
    data: {
      childId: randomUUID(),
      fullName: 'Nguyễn Thị Thu Hà',
      dateOfBirth: '2016-03-14',
      sex: 'F',
      residence: { communeCode: '00004', effectiveFrom: '2024-01-01' },
      n,
    },
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
  const owner = createPool(ctx.url, { role: null, max: 4 });
  // The baseline table: the same columns and keys as `events`, written by plain INSERTs.
  await owner.query(`CREATE TABLE events_raw (LIKE events INCLUDING ALL)`);
  await owner.query(`GRANT SELECT, INSERT ON events_raw TO childledger_app`);
  const pool = createPool(ctx.url, { max: WRITERS + 4 });
  const store = createPostgresEventStore({ pool });

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
    figure(
      'store.append.single.8w.p99',
      percentile(single.latencies, 99),
      'ms',
      percentile(rawSingle.latencies, 99),
      { p50: round(percentile(single.latencies, 50)) },
      true,
    ),
  );

  // 2. Appends of 100 events.
  ctx.log(`batch appends: ${BATCHES} × ${BATCH_SIZE}`);
  const batch = await timedWorkers(4, BATCHES / 4, async (w, i) => {
    await store.append(
      `batch-${w}-${i}`,
      Array.from({ length: BATCH_SIZE }, (_, k) => event(k)),
      { expectedRevision: 'no_stream' },
    );
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
        store.append(
          `fill-${i + k}`,
          Array.from({ length: 1000 }, (_, j) => event(j)),
          { expectedRevision: 'no_stream' },
        ),
      ),
    );
  }
  total = Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
  await owner
    .query(`INSERT INTO events_raw SELECT * FROM events WHERE NOT EXISTS (SELECT 1 FROM events_raw r WHERE r.event_id = events.event_id)`)
    .catch(() => undefined);
  await owner.query('VACUUM ANALYZE events');
  await owner.query('VACUUM ANALYZE events_raw');

  ctx.log(`catch-up read of ${total} events`);
  const timedRead = async (read: () => Promise<number>): Promise<{ events: number; seconds: number }> => {
    const t0 = process.hrtime.bigint();
    const events = await read();
    return { events, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  };
  const storeRead = () => timedRead(() => readWholeLog(store, READ_BATCH));
  // Baseline: keyset pagination over the same table with a plain SELECT, rows parsed by `pg` alike.
  const rawReadOnce = () =>
    timedRead(async () => {
      let n = 0;
      let last = '0';
      for (;;) {
        const res = await pool.query(
          `SELECT global_position::text AS p, stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at
             FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
          [last, READ_BATCH],
        );
        if (res.rows.length === 0) return n;
        n += res.rows.length;
        last = res.rows[res.rows.length - 1].p;
      }
    });
  // Store, baseline, baseline, store: neither side always runs on the colder cache.
  const runs = [await storeRead(), await rawReadOnce(), await rawReadOnce(), await storeRead()];
  const rate = (rs: { events: number; seconds: number }[]) => rs.reduce((x, r) => x + r.events, 0) / rs.reduce((x, r) => x + r.seconds, 0);
  const read = runs[0]!.events;
  const storeRate = rate([runs[0]!, runs[3]!]);
  const rawRate = rate([runs[1]!, runs[2]!]);
  ctx.emit(figure('store.read.catchup', storeRate, 'events/s', rawRate, { events: read, passes: 2, order: 'store, baseline, baseline, store' }));

  await trustFigures(ctx, pool, owner, store);

  await store.close();
  await pool.end();
  await owner.end();
}

// ---- trust: what encryption and sealing cost (docs/trust.md) ----------------------------------

const ENC_PER_WRITER = 500;
const ENC_BATCHES = 100;
const SEAL_EVENTS = 50_000;

function personalEvent(childId: string): NewEvent {
  return {
    id: randomUUID(),
    type: 'ChildRegistered',
    data: {
      childId,
      sex: 'F',
      residence: { communeCode: '00004', effectiveFrom: '2024-01-01' },
      registeredAt: '2024-01-02T03:04:05.000Z',
      personal: { fullName: 'Nguyễn Thị Thu Hà', dateOfBirth: '2016-03-14', motherName: 'Trần Thị Lan', notes: 'Sống với bà ngoại' },
    },
    metadata: { actor: { userId: 'bench', role: 'data_officer', unit: '00004' }, correlationId: randomUUID() },
  };
}

async function trustFigures(ctx: BenchContext, pool: Pool, owner: Pool, plain: EventStore): Promise<void> {
  await runMigrations(ctx.url, TRUST_MIGRATIONS);
  const keyring = new PgDataKeyring(pool, { kek: LocalKeyEncryptionKey.generate() });
  const encrypted = new EncryptingPostgresEventStore({ pool }, keyring);

  // 4. Single appends of a child's registration (personal data), one new child per append (a
  //    new data key each time: the worst case), through the encrypting store vs the plain store.
  ctx.log(`encrypted single appends: ${WRITERS} writers × ${ENC_PER_WRITER} (new child each)`);
  const enc = await timedWorkers(WRITERS, ENC_PER_WRITER, async () => {
    const child = randomUUID();
    await encrypted.append(`child-${child}`, [personalEvent(child)], { expectedRevision: 'no_stream' });
  });
  const plainRun = await timedWorkers(WRITERS, ENC_PER_WRITER, async () => {
    const child = randomUUID();
    await plain.append(`child-${child}`, [personalEvent(child)], { expectedRevision: 'no_stream' });
  });
  const ne = WRITERS * ENC_PER_WRITER;
  ctx.emit(
    figure('trust.append.single.8w.encrypted', ne / enc.seconds, 'events/s', ne / plainRun.seconds, {
      events: ne,
      baselineIs: 'plain PostgresEventStore, same events',
    }),
  );

  // 5. Appends of 100 events to one child's stream (its key cached after the first).
  ctx.log(`encrypted batch appends: ${ENC_BATCHES} × ${BATCH_SIZE}`);
  const encBatch = await timedWorkers(4, ENC_BATCHES / 4, async () => {
    const child = randomUUID();
    await encrypted.append(
      `child-${child}`,
      Array.from({ length: BATCH_SIZE }, () => personalEvent(child)),
      { expectedRevision: 'no_stream' },
    );
  });
  const plainBatch = await timedWorkers(4, ENC_BATCHES / 4, async () => {
    const child = randomUUID();
    await plain.append(
      `child-${child}`,
      Array.from({ length: BATCH_SIZE }, () => personalEvent(child)),
      { expectedRevision: 'no_stream' },
    );
  });
  const nbe = ENC_BATCHES * BATCH_SIZE;
  ctx.emit(
    figure('trust.append.batch100.encrypted', nbe / encBatch.seconds, 'events/s', nbe / plainBatch.seconds, {
      events: nbe,
      baselineIs: 'plain PostgresEventStore, same events',
    }),
  );

  // 6. Reading back the encrypted events (decryption) vs the plain ones.
  let t0 = process.hrtime.bigint();
  let decrypted = 0;
  for (let after: string | null = null; ;) {
    const page = await encrypted.readAll({ after, maxCount: READ_BATCH, filter: { eventTypes: ['ChildRegistered'], streamPrefixes: ['child-'] } });
    if (page.events.length === 0) break;
    decrypted += page.events.length;
    after = page.checkpoint;
  }
  const decSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  t0 = process.hrtime.bigint();
  let raw = 0;
  for (let after: string | null = null; ;) {
    const page = await plain.readAll({ after, maxCount: READ_BATCH, filter: { eventTypes: ['ChildRegistered'], streamPrefixes: ['child-'] } });
    if (page.events.length === 0) break;
    raw += page.events.length;
    after = page.checkpoint;
  }
  const rawReadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  ctx.emit(
    figure('trust.read.decrypting', decrypted / decSeconds, 'events/s', raw / rawReadSeconds, {
      events: decrypted,
      encryptedShare: 0.5,
      baselineIs: 'plain readAll, same rows',
    }),
  );

  // 7. Sealing: chain rows + signed checkpoints every 1000 events, vs reading the same rows and
  //    hashing them with no writes (the least any sealer must do).
  ctx.log(`sealing the first ${SEAL_EVENTS} events`);
  const sealer = new LogSealer({ pool, key: SealKey.fromBase64Seed(SealKey.generateSeed()), everyEvents: 1000, batchSize: 1000, everyMs: 3_600_000 });
  t0 = process.hrtime.bigint();
  let sealed = 0;
  let checkpoints = 0;
  while (sealed < SEAL_EVENTS) {
    const step = await sealer.step({ force: false });
    sealed += step.chained;
    if (step.sealedSeq !== undefined) checkpoints++;
    if (!step.more) break;
  }
  const sealSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  t0 = process.hrtime.bigint();
  let hashed = 0;
  let head: Buffer = GENESIS;
  let cursor = { tx: '0', pos: '0' };
  while (hashed < sealed) {
    const { rows } = await pool.query<StoredEventRow>(
      `SELECT ${STORED_ROW_SQL} FROM events WHERE (events.transaction_id, events.global_position) > ($1::xid8, $2::bigint)
          AND events.transaction_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY events.transaction_id, events.global_position LIMIT 1000`,
      [cursor.tx, cursor.pos],
    );
    if (rows.length === 0) break;
    for (const r of rows) head = chainStep(head, eventDigest(r));
    hashed += rows.length;
    const last = rows[rows.length - 1]!;
    cursor = { tx: last.transactionId, pos: last.position };
  }
  const hashSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  ctx.emit(
    figure('trust.seal.throughput', sealed / sealSeconds, 'events/s', hashed / hashSeconds, {
      events: sealed,
      checkpoints,
      baselineIs: 'same rows read and hashed, nothing written',
    }),
  );

  // 8. Verifying the sealed prefix from the database.
  t0 = process.hrtime.bigint();
  const report = await verifyLog(databaseLogSource(owner), trustedSealKeys([]), {});
  const verifySeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  ctx.emit(
    figure('trust.verify.throughput', report.events / verifySeconds, 'events/s', hashed / hashSeconds, {
      events: report.events,
      baselineIs: 'read and hash only',
    }),
  );

  await encrypted.close();
  keyring.close();
}

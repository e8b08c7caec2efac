import type { ClientBase, Pool, QueryArrayConfig, QueryResultRow } from 'pg';
import { withTransaction } from '@childledger/database';
import { IdempotencyConflictError, InvalidEventError, WrongExpectedVersionError } from '../event-store.errors';
import type {
  AppendOptions,
  AppendResult,
  Checkpoint,
  EventFilter,
  EventStore,
  EventStoreCapabilities,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StoreTransaction,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { PollingSubscription } from '../polling-subscription';
import { UpcasterRegistry } from '../upcasters';
import { formatCheckpoint, parseCheckpoint } from './checkpoint';
import { WakeUp } from './wake-up';

export interface PostgresEventStoreOptions {
  pool: Pool;
  upcasters?: UpcasterRegistry;
  /** Longest wait between two reads of an idle subscription (LISTEN/NOTIFY usually wakes it sooner). */
  pollIntervalMs?: number;
  /** Default subscription batch size. */
  batchSize?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_STREAM_ID_LENGTH = 200;

/**
 * What a read selects, in the cheapest wire form for building a RecordedEvent (rows come back as
 * arrays, parsed by READ_TYPES): the checkpoint already formatted (`transaction:position`),
 * `recorded_at` as whole milliseconds since the epoch, rounded down (exactly the Date that pg's
 * default timestamptz parser gave; `extract` is exact numeric on PostgreSQL 14+), the JSON
 * columns parsed once by JSON.parse, everything else as text. No output names: one that matched
 * a column would shadow it in ORDER BY. (A `recorded_at` of ±infinity, which appends never write,
 * reads as an invalid Date where pg's parser gave the number ±Infinity.)
 */
const COLUMNS = `transaction_id::text || ':' || global_position::text, event_id, event_type, schema_version,
  data, metadata, stream_id, stream_revision, floor(extract(epoch FROM recorded_at) * 1000)`;

/** A row of COLUMNS, in order. */
type EventRow = [
  position: string,
  eventId: string,
  eventType: string,
  schemaVersion: string,
  data: Record<string, unknown>,
  metadata: Record<string, unknown>,
  streamId: string,
  revision: string,
  recordedAtMs: string,
];

const JSON_OIDS = new Set([114, 3802]);
const asText = (value: string): string => value;
/** Per-query parsers for COLUMNS: whatever the process registered globally does not apply. */
const READ_TYPES = {
  getTypeParser: (oid: number): ((value: string) => unknown) => (JSON_OIDS.has(oid) ? JSON.parse : asText),
};

/** Turns a row of COLUMNS into a RecordedEvent (before upcasting). */
function recordedFromRow(r: EventRow): RecordedEvent {
  return {
    id: r[1],
    type: r[2],
    schemaVersion: Number(r[3]),
    data: r[4],
    metadata: r[5],
    streamId: r[6],
    revision: Number(r[7]),
    position: r[0],
    recordedAt: new Date(Number(r[8])),
  };
}

interface AppendRow extends QueryResultRow {
  next_revision: string;
  last_transaction_id: string | null;
  last_position: string | null;
}

interface PgError {
  code?: string;
  detail?: string;
  constraint?: string;
}

function expectedToText(expected: ExpectedRevision): string {
  if (typeof expected === 'number') {
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw new InvalidEventError(`expected revision must be a non-negative integer, got ${expected}`);
    }
    return String(expected);
  }
  return expected;
}

function validate(streamId: string, events: readonly NewEvent[]): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > MAX_STREAM_ID_LENGTH) {
    throw new InvalidEventError(`stream id must be 1 to ${MAX_STREAM_ID_LENGTH} characters`);
  }
  const seen = new Set<string>();
  for (const [i, e] of events.entries()) {
    if (typeof e.id !== 'string' || !UUID.test(e.id)) throw new InvalidEventError(`events[${i}].id must be a UUID`);
    if (seen.has(e.id.toLowerCase())) throw new InvalidEventError(`events[${i}].id is repeated in the batch`);
    seen.add(e.id.toLowerCase());
    if (typeof e.type !== 'string' || e.type.length === 0) throw new InvalidEventError(`events[${i}].type must be a non-empty string`);
    if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) {
      throw new InvalidEventError(`events[${i}].data must be an object`);
    }
    const v = e.schemaVersion ?? 1;
    if (!Number.isInteger(v) || v < 1) throw new InvalidEventError(`events[${i}].schemaVersion must be a positive integer`);
  }
}

/**
 * The PostgreSQL adapter: one `append_events` call per append (one round trip), reads in
 * (transaction id, position) order below the oldest running transaction, subscriptions that
 * poll and are woken by LISTEN/NOTIFY.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly upcasters: UpcasterRegistry;
  private readonly wakeUp: WakeUp;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly subscriptions = new Set<Subscription>();

  /** Both capabilities: appends inside a transaction on the pool's database, and the `events` table as stored. */
  readonly capabilities: EventStoreCapabilities = {
    appendInTransaction: { transaction: (work) => this.transaction(work) },
    storedLog: { table: 'events' },
  };

  constructor(options: PostgresEventStoreOptions) {
    this.pool = options.pool;
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 1000;
    this.wakeUp = new WakeUp(this.pool.options, (sql) => this.pool.query(sql));
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const result = await this.appendWithin(this.pool, streamId, events, options);
    if (!result.duplicate && events.length > 0) this.wakeUp.poke();
    return result;
  }

  /**
   * Appends on the caller's connection, inside whatever transaction it has open: for writes
   * that must commit together with the events (an idempotency record, say). Call
   * `notifyCommitted()` after the caller commits so that subscribers wake at once.
   */
  async appendWithin(client: ClientBase | Pool, streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    validate(streamId, events);
    const expected = options.expectedRevision ?? 'any';
    const payload = JSON.stringify(
      events.map((e) => ({ id: e.id.toLowerCase(), type: e.type, schemaVersion: e.schemaVersion ?? 1, data: e.data, metadata: e.metadata ?? {} })),
    );
    let row: AppendRow | undefined;
    try {
      const res = await client.query<AppendRow>('SELECT * FROM append_events($1, $2, $3::jsonb)', [streamId, expectedToText(expected), payload]);
      row = res.rows[0];
    } catch (err) {
      const e = err as PgError;
      if (e.code === 'CL003') {
        // The whole batch is already in the stream: a retry after a lost acknowledgement.
        const [revision, transactionId, globalPosition] = (e.detail ?? '').split(',');
        return {
          nextExpectedRevision: Number(revision),
          position: formatCheckpoint({ transactionId: transactionId!, globalPosition: globalPosition! }),
          duplicate: true,
        };
      }
      throw this.mapError(e, streamId, expected, events);
    }
    if (!row) throw new Error('append_events returned no row');
    return {
      nextExpectedRevision: Number(row.next_revision),
      position:
        row.last_transaction_id !== null && row.last_position !== null
          ? formatCheckpoint({ transactionId: row.last_transaction_id, globalPosition: row.last_position })
          : null,
      duplicate: false,
    };
  }

  /** `append-in-transaction`: BEGIN, the caller's work (appends and statements on one connection), COMMIT, wake-up. */
  private async transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    let appended = false;
    const result = await withTransaction(this.pool, (client) =>
      work({
        append: async (streamId, events, options) => {
          const result = await this.appendWithin(client, streamId, events, options);
          if (!result.duplicate && events.length > 0) appended = true;
          return result;
        },
        query: async <Row extends Record<string, unknown>>(text: string, values?: unknown[]) => {
          const res = await client.query<Row>(text, values);
          return { rows: res.rows, rowCount: res.rowCount };
        },
      }),
    );
    // Subscribers are woken once the appends are committed, never before.
    if (appended) this.wakeUp.poke();
    return result;
  }

  /** Wakes subscribers after a caller's transaction that used `appendWithin` has committed. */
  notifyCommitted(): void {
    this.wakeUp.poke();
  }

  private mapError(err: PgError, streamId: string, expected: ExpectedRevision, events: readonly NewEvent[]): unknown {
    if (err.code === 'CL001') {
      const actual = Number(err.detail);
      return new WrongExpectedVersionError(streamId, expected, actual < 0 ? null : actual);
    }
    if (err.code === 'CL002') return new IdempotencyConflictError(streamId, (err.detail ?? '').split(',').filter(Boolean));
    // The same event id raced in from another stream: the unique index caught it.
    if (err.code === '23505' && err.constraint === 'events_event_id_key') {
      return new IdempotencyConflictError(
        streamId,
        events.map((e) => e.id),
      );
    }
    return err;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const params: unknown[] = [streamId];
    let where = 'stream_id = $1';
    if (options.fromRevision !== undefined) {
      params.push(options.fromRevision);
      where += backwards ? ' AND stream_revision <= $2' : ' AND stream_revision >= $2';
    }
    let limit = '';
    if (options.maxCount !== undefined) {
      params.push(options.maxCount);
      limit = ` LIMIT $${params.length}`;
    }
    return this.readRows(`SELECT ${COLUMNS} FROM events WHERE ${where} ORDER BY stream_revision ${backwards ? 'DESC' : 'ASC'}${limit}`, params);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    return this.readAllAfter(options.after ?? null, options.maxCount ?? this.batchSize, options.filter);
  }

  private async readAllAfter(after: Checkpoint | null, maxCount: number, filter?: EventFilter): Promise<ReadAllResult> {
    const from = parseCheckpoint(after);
    const params: unknown[] = [from.transactionId, from.globalPosition, maxCount];
    let filterSql = '';
    if (filter?.eventTypes) {
      params.push(filter.eventTypes);
      filterSql += ` AND event_type = ANY($${params.length}::text[])`;
    }
    if (filter?.streamPrefixes) {
      params.push(filter.streamPrefixes.map((p) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
      filterSql += ` AND stream_id LIKE ANY($${params.length}::text[])`;
    }
    // Only rows whose writing transaction is older than every transaction still running: those
    // can no longer be joined by a row that sorts before them.
    const events = await this.readRows(
      `SELECT ${COLUMNS} FROM events
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())${filterSql}
        ORDER BY events.transaction_id, events.global_position
        LIMIT $3`,
      params,
    );
    const last = events[events.length - 1];
    return { events, checkpoint: last ? last.position : after };
  }

  subscribe(options: SubscribeOptions): Subscription {
    const sub = new PollingSubscription(
      {
        readAll: (after, max, filter) => this.readAllAfter(after, max, filter),
        generation: () => this.wakeUp.generation(),
        wait: (ms, signal, since) => this.wakeUp.wait(ms, signal, since),
      },
      {
        after: options.after ?? null,
        filter: options.filter,
        batchSize: options.batchSize ?? this.batchSize,
        pollIntervalMs: this.pollIntervalMs,
        handler: options.handler,
        readAhead: options.readAhead,
      },
    );
    this.subscriptions.add(sub);
    sub.done.finally(() => this.subscriptions.delete(sub)).catch(() => undefined);
    return sub;
  }

  /** Stops this store's subscriptions and its listener; the pool belongs to the caller. */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.wakeUp.close();
  }

  private async readRows(text: string, values: unknown[]): Promise<RecordedEvent[]> {
    const config: QueryArrayConfig = { text, values, rowMode: 'array', types: READ_TYPES };
    const { rows } = await this.pool.query<EventRow>(config);
    return rows.map((r) => this.upcasters.upcast(recordedFromRow(r)));
  }
}

/**
 * The PostgreSQL event store as the port: what composition roots and tests outside this library
 * use, so that nothing else names the concrete class (tools/architecture/no-concrete-adapter-imports.spec.ts).
 */
export function createPostgresEventStore(options: PostgresEventStoreOptions): EventStore {
  return new PostgresEventStore(options);
}

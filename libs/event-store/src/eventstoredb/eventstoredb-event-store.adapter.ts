import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type AppendExpectedRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { IdempotencyConflictError, InvalidCheckpointError, WrongExpectedVersionError } from '../event-store.errors';
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
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { PollingSubscription } from '../polling-subscription';
import { UpcasterRegistry } from '../upcasters';

export interface EventStoreDbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false` */
  connectionString: string;
  upcasters?: UpcasterRegistry;
  pollIntervalMs?: number;
  batchSize?: number;
}

const SCHEMA_VERSION_KEY = 'schemaVersion';

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected);
}

function formatPosition(p: { commit: bigint; prepare: bigint }): Checkpoint {
  return `${p.commit}:${p.prepare}`;
}

function parsePosition(c: Checkpoint | null | undefined): { commit: bigint; prepare: bigint } | typeof START {
  if (c === null || c === undefined) return START;
  const m = /^(\d+):(\d+)$/.exec(c);
  if (!m) throw new InvalidCheckpointError(c);
  return { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) };
}

function matchesFilter(e: RecordedEvent, filter?: EventFilter): boolean {
  if (e.type.startsWith('$') || e.streamId.startsWith('$')) return false;
  if (filter?.eventTypes && !filter.eventTypes.includes(e.type)) return false;
  if (filter?.streamPrefixes && !filter.streamPrefixes.some((p) => e.streamId.startsWith(p))) return false;
  return true;
}

/**
 * The EventStoreDB adapter (`@eventstore/db-client`). EventStoreDB keeps per-stream order,
 * optimistic concurrency and a global `$all` position natively. Idempotency by event id is
 * EventStoreDB's own, per stream; content conflicts are detected by reading the stream's tail.
 * Subscriptions use the same read-and-poll loop as the PostgreSQL adapter over `$all`.
 */
export class EventStoreDbEventStore implements EventStore {
  /**
   * Neither `append-in-transaction` (the events live in EventStoreDB, the caller's rows in
   * PostgreSQL: no transaction spans both) nor `stored-log` (no `events` table to seal).
   */
  readonly capabilities: EventStoreCapabilities = {};
  private readonly client: EventStoreDBClient;
  private readonly upcasters: UpcasterRegistry;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly subscriptions = new Set<Subscription>();
  private generation = 0;
  private readonly waiters = new Set<() => void>();

  constructor(options: EventStoreDbEventStoreOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 1000;
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    const duplicate = await this.findRetry(streamId, events);
    if (duplicate) return duplicate;
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) =>
          jsonEvent({
            id: e.id,
            type: e.type,
            data: e.data as Record<string, unknown>,
            metadata: { ...(e.metadata ?? {}), [SCHEMA_VERSION_KEY]: e.schemaVersion ?? 1 },
          }),
        ),
        { expectedRevision: toEsdbExpected(expected) },
      );
      this.wake();
      return {
        nextExpectedRevision: Number(result.nextExpectedRevision),
        position: result.position ? formatPosition(result.position) : null,
        duplicate: false,
      };
    } catch (err) {
      if (err instanceof EsdbWrongExpectedVersionError) {
        const actual = typeof err.actualVersion === 'bigint' ? Number(err.actualVersion) : null;
        throw new WrongExpectedVersionError(streamId, expected, actual);
      }
      throw err;
    }
  }

  /** A retried batch is recognised by its ids in the stream's tail: same content is a duplicate, other content a conflict. */
  private async findRetry(streamId: string, events: readonly NewEvent[]): Promise<AppendResult | null> {
    if (events.length === 0) return null;
    const wanted = new Map(events.map((e) => [e.id.toLowerCase(), e]));
    const tail = await this.readStream(streamId, { direction: 'backwards', maxCount: Math.max(100, events.length * 4) });
    const found = tail.filter((e) => wanted.has(e.id.toLowerCase()));
    if (found.length === 0) return null;
    const same = found.every((f) => {
      const w = wanted.get(f.id.toLowerCase())!;
      return w.type === f.type && (w.schemaVersion ?? 1) === f.schemaVersion && JSON.stringify(w.data) === JSON.stringify(f.data);
    });
    if (!same || found.length !== events.length)
      throw new IdempotencyConflictError(
        streamId,
        found.map((f) => f.id),
      );
    const last = found.reduce((a, b) => (a.revision > b.revision ? a : b));
    return { nextExpectedRevision: last.revision, position: last.position, duplicate: true };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const out: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      });
      for await (const resolved of read) {
        const e = this.toRecorded(resolved);
        if (e) out.push(e);
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    return this.readAllAfter(options.after ?? null, options.maxCount ?? this.batchSize, options.filter);
  }

  private async readAllAfter(after: Checkpoint | null, maxCount: number, filter?: EventFilter): Promise<ReadAllResult> {
    const from = parsePosition(after);
    const events: RecordedEvent[] = [];
    let checkpoint = after;
    // $all reads are inclusive of `fromPosition`: skip the event the checkpoint points at.
    const read = this.client.readAll({ fromPosition: from, maxCount: maxCount + 1, direction: FORWARDS });
    for await (const resolved of read) {
      const e = this.toRecorded(resolved);
      if (!e || e.position === after) continue;
      checkpoint = e.position;
      if (matchesFilter(e, filter)) events.push(e);
      if (events.length >= maxCount) break;
    }
    return { events, checkpoint };
  }

  subscribe(options: SubscribeOptions): Subscription {
    const sub = new PollingSubscription(
      {
        readAll: (after, max, filter) => this.readAllAfter(after, max, filter),
        generation: () => this.generation,
        wait: (ms, signal, since) =>
          new Promise<void>((resolve) => {
            if (since !== this.generation || signal.stopped) return resolve();
            const done = () => {
              clearTimeout(timer);
              this.waiters.delete(done);
              resolve();
            };
            const timer = setTimeout(done, ms);
            this.waiters.add(done);
            signal.onStop = done;
          }),
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

  private wake(): void {
    this.generation++;
    for (const w of [...this.waiters]) w();
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }

  private toRecorded(resolved: ResolvedEvent): RecordedEvent | null {
    const e = resolved.event;
    if (!e || !e.isJson) return null;
    const { [SCHEMA_VERSION_KEY]: schemaVersion, ...metadata } = (e.metadata ?? {}) as Record<string, unknown>;
    const position = e.position ?? (resolved as { commitPosition?: bigint }).commitPosition;
    return this.upcasters.upcast({
      id: e.id,
      type: e.type,
      schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : 1,
      data: e.data as Record<string, unknown>,
      metadata,
      streamId: e.streamId,
      revision: Number(e.revision),
      position: e.position ? formatPosition(e.position) : String(position ?? ''),
      recordedAt: e.created,
    });
  }
}

/** The EventStoreDB event store as the port (see createPostgresEventStore). */
export function createEventStoreDbEventStore(options: EventStoreDbEventStoreOptions): EventStore {
  return new EventStoreDbEventStore(options);
}

/**
 * The event log's port. Two adapters implement it (PostgreSQL, the default, and EventStoreDB)
 * and both pass the same conformance suite (`testing/event-store.conformance.ts`).
 */

/** Who did something, in which role, for which administrative unit. */
export interface Actor {
  userId: string;
  role: string;
  /** Province or commune code the actor acted for. */
  unit?: string;
}

export interface EventMetadata {
  actor?: Actor;
  correlationId?: string;
  causationId?: string;
  /** Why, for corrections, merges, unlinks, erasures. */
  reason?: string;
  [key: string]: unknown;
}

/** An event to append. The id is chosen by the writer: it makes a retried append idempotent. */
export interface NewEvent<Type extends string = string, Data = Record<string, unknown>> {
  id: string;
  type: Type;
  /** Schema version of `data`; 1 when omitted. */
  schemaVersion?: number;
  data: Data;
  metadata?: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = Record<string, unknown>> {
  id: string;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
  streamId: string;
  /** 0 for a stream's first event. */
  revision: number;
  /** Opaque checkpoint of this event in the global log: resume a subscription after it. */
  position: Checkpoint;
  recordedAt: Date;
}

/** An opaque, adapter-specific position in the global log; `null` is the start. */
export type Checkpoint = string;

/**
 * - `no_stream`: the stream must not exist yet
 * - `stream_exists`: it must have at least one event
 * - `any`: no check
 * - a number: the revision of the stream's last event, as the writer last saw it
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** The revision of the stream's last event after the append: pass it as the next expected revision. */
  nextExpectedRevision: number;
  /** Checkpoint of the last event appended (or of the existing copy, for an idempotent retry). */
  position: Checkpoint | null;
  /** True when every event already existed: a retry after a lost acknowledgement. */
  duplicate: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Defaults to the first (forwards) or last (backwards) event. */
  fromRevision?: number;
  maxCount?: number;
}

export interface EventFilter {
  eventTypes?: readonly string[];
  streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  /** Read events after this checkpoint; the start when null or omitted. */
  after?: Checkpoint | null;
  maxCount?: number;
  filter?: EventFilter;
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /** Where the next read should start: the last event's position, or `after` when none was read. */
  checkpoint: Checkpoint | null;
}

export type SubscriptionHandler = (events: RecordedEvent[], checkpoint: Checkpoint) => Promise<void>;

export interface SubscribeOptions {
  /** A name for logs and metrics. */
  name?: string;
  /** Deliver events after this checkpoint; the start when null or omitted. */
  after?: Checkpoint | null;
  filter?: EventFilter;
  batchSize?: number;
  /**
   * Called with each batch, in global order, and the checkpoint after the batch. The next
   * batch is handed over only once it resolves (and read only then, unless `readAhead`); if it
   * throws, the subscription stops with that error.
   */
  handler: SubscriptionHandler;
  /**
   * After a full batch, read the next one (after that batch's checkpoint) while the handler runs,
   * so that a catch-up's reads overlap its writes. Order and delivery are unchanged; it holds one
   * more batch in memory and uses a second connection meanwhile. Off by default.
   */
  readAhead?: boolean;
}

export interface Subscription {
  /** Resolves once the subscription has delivered everything that was committed when it started reading live. */
  caughtUp(): Promise<void>;
  /** Stops after the batch in flight; resolves when stopped. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves on stop, rejects with the handler's or the store's error. */
  readonly done: Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  subscribe(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
  /**
   * What this backend can do beyond the methods above. A decorator forwards its inner store's
   * capabilities (wrapped as needed); absent means none. Services check the ones they need at boot
   * (`requireCapabilities`), so a backend that lacks one refuses to start instead of failing a request.
   */
  readonly capabilities?: EventStoreCapabilities;
}

/** The names of the optional capabilities, as boot errors and docs spell them. */
export type EventStoreCapabilityName = 'append-in-transaction' | 'stored-log';

export interface EventStoreCapabilities {
  /**
   * `append-in-transaction`: appends that commit or roll back together with the caller's own writes
   * in the same SQL database (idempotency keys, import dedupe keys).
   */
  appendInTransaction?: TransactionalAppend;
  /**
   * `stored-log`: the log's stored rows (bytes as written, ciphertext included) can be read in the
   * store's global order from the service's own PostgreSQL database (the `events` table), which is
   * what the log sealer chains and `verify-log` checks.
   */
  storedLog?: { table: 'events' };
}

/** A transaction opened by the store on its database: appends and the caller's statements commit as one. */
export interface StoreTransaction {
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** A statement of the caller's, in the same transaction. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

export interface TransactionalAppend {
  /**
   * Runs `work` in one transaction and commits when it resolves (rolls back when it throws, and
   * rethrows). Subscribers are woken after the commit.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
}

/** A service needs a capability its event-store backend lacks: it refuses to start. */
export class MissingEventStoreCapabilityError extends Error {
  constructor(
    readonly capability: EventStoreCapabilityName,
    readonly backend: string,
    readonly neededBy: string,
  ) {
    super(`the ${backend} event store lacks the capability "${capability}", which ${neededBy} needs; ${CAPABILITY_HINT[capability]}`);
    this.name = 'MissingEventStoreCapabilityError';
  }
}

const CAPABILITY_HINT: Record<EventStoreCapabilityName, string> = {
  'append-in-transaction': 'run it with EVENT_STORE_BACKEND=postgres (docs/architecture.md, "Port capabilities")',
  'stored-log': 'the log is sealed and verified only on EVENT_STORE_BACKEND=postgres (docs/architecture.md, "Port capabilities")',
};

const CAPABILITY_KEYS: Record<EventStoreCapabilityName, keyof EventStoreCapabilities> = {
  'append-in-transaction': 'appendInTransaction',
  'stored-log': 'storedLog',
};

/** Whether the store has the capability. */
export function hasCapability(store: EventStore, capability: EventStoreCapabilityName): boolean {
  return store.capabilities?.[CAPABILITY_KEYS[capability]] !== undefined;
}

/** Throws MissingEventStoreCapabilityError naming the first capability the store lacks. */
export function requireCapabilities(store: EventStore, capabilities: readonly EventStoreCapabilityName[], neededBy: string, backend = 'configured'): void {
  for (const c of capabilities) if (!hasCapability(store, c)) throw new MissingEventStoreCapabilityError(c, backend, neededBy);
}

/** The store's `append-in-transaction` capability, or MissingEventStoreCapabilityError. */
export function transactionalAppendOf(store: EventStore, neededBy: string): TransactionalAppend {
  const t = store.capabilities?.appendInTransaction;
  if (!t) throw new MissingEventStoreCapabilityError('append-in-transaction', 'configured', neededBy);
  return t;
}

export const EVENT_STORE = Symbol('EventStore');

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
   * batch is read only once it resolves; if it throws, the subscription stops with that error.
   */
  handler: SubscriptionHandler;
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
}

export const EVENT_STORE = Symbol('EventStore');

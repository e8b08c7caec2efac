import type { Pool } from 'pg';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  EventStoreCapabilities,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  TransactionalAppend,
  transactionalAppendOf,
} from '@childledger/event-store';
import { CommandResponseBody, IdempotencyClaim, responseBody } from '../shared/registry-command';

/** A stored first result of a command sent with an idempotency key. */
export interface StoredIdempotentResult {
  fingerprint: string;
  status: number;
  result: CommandResponseBody;
}

/** The same key was first used for another request: the client must not reuse keys. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a different request`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** Another request with the same key committed while this one ran: replay its result. */
export class IdempotencyKeyTakenError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was used by a concurrent request`);
    this.name = 'IdempotencyKeyTakenError';
  }
}

/**
 * Idempotency keys in PostgreSQL, written in the transaction of the command's events.
 *
 * Why this is crash-safe: the key's row and the events commit together (one transaction through
 * the store's `append-in-transaction` capability). A crash before the commit leaves neither, and the
 * retry runs the command again; a crash after it leaves both, and the retry replays the stored
 * result. Two concurrent requests with one key both reach the INSERT; the primary key makes the
 * second wait for the first to commit and then fail, so its events roll back and it replays the
 * first result. A backend without the capability is refused when the service starts
 * (`requireCapabilities` in RegistryModule), never on a request.
 *
 * The fingerprint of the request is a keyed hash (HMAC, `RegistryKeys.fingerprint`), computed by the
 * transport: a stored row does not let anyone without the key test guesses of a request's body.
 */
export class IdempotencyStore {
  private readonly transactional?: TransactionalAppend;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
  ) {
    this.transactional = store.capabilities?.appendInTransaction;
  }

  async find(userId: string, key: string): Promise<StoredIdempotentResult | undefined> {
    const { rows } = await this.pool.query<{ fingerprint: string; status_code: number; result: CommandResponseBody }>(
      'SELECT fingerprint, status_code, result FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2',
      [userId, key],
    );
    const row = rows[0];
    if (!row) return undefined;
    // jsonb does not keep key order: rebuild the body as a fresh response builds it, so a replay is byte for byte the same.
    const r = row.result;
    return { fingerprint: row.fingerprint, status: row.status_code, result: responseBody(r.streamId, r.id, r.events, r.revision) };
  }

  /**
   * An event store whose `append` also records the key and the result, in one transaction.
   * Reads go to the shared store.
   */
  storeFor(userId: string, claim: IdempotencyClaim, targetId: string): EventStore {
    return new IdempotentAppendStore(this.store, this.transactional ?? transactionalAppendOf(this.store, 'Idempotency-Key'), userId, claim, targetId);
  }
}

class IdempotentAppendStore implements EventStore {
  readonly capabilities: EventStoreCapabilities | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly transactional: TransactionalAppend,
    private readonly userId: string,
    private readonly claim: IdempotencyClaim,
    private readonly targetId: string,
  ) {
    this.capabilities = store.capabilities;
  }

  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.transactional.transaction(async (tx) => {
      const appended = await tx.append(streamId, events, options);
      const result = responseBody(streamId, this.targetId, events, appended.nextExpectedRevision);
      const inserted = await tx.query(
        `INSERT INTO idempotency_keys (user_id, idempotency_key, fingerprint, status_code, stream_id, result)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [this.userId, this.claim.key, this.claim.fingerprint, this.claim.status, streamId, JSON.stringify(result)],
      );
      if (inserted.rowCount === 0) throw new IdempotencyKeyTakenError(this.claim.key);
      return appended;
    });
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.store.readStream(streamId, options);
  }
  readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    return this.store.readAll(options);
  }
  subscribe(options: SubscribeOptions): Subscription {
    return this.store.subscribe(options);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

import type { Pool } from 'pg';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  PostgresEventStore,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
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
 * `PostgresEventStore.appendWithin`). A crash before the commit leaves neither, and the retry runs
 * the command again; a crash after it leaves both, and the retry replays the stored result. Two
 * concurrent requests with one key both reach the INSERT; the primary key makes the second wait for
 * the first to commit and then fail, so its events roll back and it replays the first result.
 */
export class IdempotencyStore {
  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
  ) {}

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
    if (!(this.store instanceof PostgresEventStore)) {
      throw new Error('idempotency keys need the PostgreSQL event store (events and keys commit in one transaction)');
    }
    return new IdempotentAppendStore(this.pool, this.store, userId, claim, targetId);
  }
}

class IdempotentAppendStore implements EventStore {
  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly userId: string,
    private readonly claim: IdempotencyClaim,
    private readonly targetId: string,
  ) {}

  async append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const appended = await this.store.appendWithin(client, streamId, events, options);
      const result = responseBody(streamId, this.targetId, events, appended.nextExpectedRevision);
      const inserted = await client.query(
        `INSERT INTO idempotency_keys (user_id, idempotency_key, fingerprint, status_code, stream_id, result)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [this.userId, this.claim.key, this.claim.fingerprint, this.claim.status, streamId, JSON.stringify(result)],
      );
      if (inserted.rowCount === 0) {
        await client.query('ROLLBACK');
        throw new IdempotencyKeyTakenError(this.claim.key);
      }
      await client.query('COMMIT');
      this.store.notifyCommitted();
      return appended;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
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

import type { ClientBase, Pool } from 'pg';
import type { RecordedEvent } from '../event-store.port';

/**
 * - `failed`: the subscription gave up on it after its bounded retries (or an operator's retry failed)
 * - `parked`: a later event of a stream with a failed one, held back to keep the stream's order
 * - `retry`: an operator asked for it to be applied again; the running subscription does it
 * - `applied`: applied by a retry (once: in the transaction of its effects)
 * - `skipped`: an operator decided it is never to be applied
 */
export type DeadLetterStatus = 'failed' | 'parked' | 'retry' | 'applied' | 'skipped';

export interface DeadLetter {
  id: string;
  subscription: string;
  streamId: string;
  revision: number;
  position: string;
  eventId: string;
  eventType: string;
  status: DeadLetterStatus;
  /** The error's class and message, without quoted values or long numbers (see `describeError`). */
  error: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  resolvedAt: Date | null;
}

interface Row {
  id: string;
  subscription_name: string;
  stream_id: string;
  stream_revision: string;
  position: string;
  event_id: string;
  event_type: string;
  status: DeadLetterStatus;
  error: string;
  attempts: number;
  first_failed_at: Date;
  last_failed_at: Date;
  resolved_at: Date | null;
}

const toDeadLetter = (r: Row): DeadLetter => ({
  id: r.id,
  subscription: r.subscription_name,
  streamId: r.stream_id,
  revision: Number(r.stream_revision),
  position: r.position,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  error: r.error,
  attempts: r.attempts,
  firstFailedAt: r.first_failed_at,
  lastFailedAt: r.last_failed_at,
  resolvedAt: r.resolved_at,
});

const MAX_ERROR_LENGTH = 300;

/**
 * An error as the dead-letter table, logs and the CLI show it: its class, its SQLSTATE when it has
 * one, and its message with every double-quoted part (PostgreSQL quotes the offending value there:
 * `invalid input syntax for type date: "…"`) and every run of 4+ digits (dates, ID numbers) blanked.
 * Single-quoted parts are kept: JavaScript quotes property names there, not values.
 */
export function describeError(err: unknown): string {
  const name = err instanceof Error ? err.name : typeof err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? ` ${(err as { code: string }).code}` : '';
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d{4,}/g, '#')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '…@…')
    .replace(/\s+/g, ' ')
    .trim();
  const text = `${name}${code}: ${message}`;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** Connection, shutdown and resource errors of PostgreSQL or the network: worth trying again, never a poison event. */
export function isTransientDatabaseError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string')
    return err instanceof Error && /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(err.message);
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(code)) return true;
  // 08 connection exception, 53 insufficient resources, 57P01-03 shutdown / cannot connect now, 40001/40P01 serialization / deadlock,
  // 55P03 lock not available (a NOWAIT lock another transaction holds, e.g. a rebuild switching over).
  return /^(08|53)/.test(code) || ['57P01', '57P02', '57P03', '40001', '40P01', '55P03'].includes(code);
}

export interface DeadLetterInput {
  event: Pick<RecordedEvent, 'id' | 'type' | 'streamId' | 'revision' | 'position'>;
  status: 'failed' | 'parked';
  error: string;
  attempts: number;
}

/** `subscription_dead_letters` (event-store migrations): one row per event a subscription did not apply. */
export class PgDeadLetterStore {
  constructor(private readonly pool: Pool) {}

  /** Records (or, for an event already there, re-opens) dead letters; on the caller's client, in its transaction. */
  async add(subscription: string, letters: readonly DeadLetterInput[], client: ClientBase | Pool = this.pool): Promise<void> {
    if (letters.length === 0) return;
    await client.query(
      `INSERT INTO subscription_dead_letters (subscription_name, stream_id, stream_revision, position, event_id, event_type, status, error, attempts)
       SELECT $1, x.s, x.r, x.p, x.i, x.t, x.st, x.e, x.a
         FROM jsonb_to_recordset($2::jsonb) AS x(s text, r bigint, p text, i text, t text, st text, e text, a integer)
       ON CONFLICT (subscription_name, event_id) DO UPDATE
         SET status = excluded.status, error = excluded.error, attempts = subscription_dead_letters.attempts + excluded.attempts,
             last_failed_at = now(), resolved_at = NULL`,
      [
        subscription,
        JSON.stringify(
          letters.map((l) => ({
            s: l.event.streamId,
            r: l.event.revision,
            p: l.event.position,
            i: l.event.id,
            t: l.event.type,
            st: l.status,
            e: l.error,
            a: l.attempts,
          })),
        ),
      ],
    );
  }

  /** Which of these streams have an unresolved dead letter for the subscription (so their later events are parked). */
  async parkedStreams(subscription: string, streamIds: readonly string[], client: ClientBase | Pool = this.pool): Promise<Set<string>> {
    if (streamIds.length === 0) return new Set();
    const res = await client.query<{ stream_id: string }>(
      `SELECT DISTINCT stream_id FROM subscription_dead_letters WHERE subscription_name = $1 AND resolved_at IS NULL AND stream_id = ANY($2::text[])`,
      [subscription, [...new Set(streamIds)]],
    );
    return new Set(res.rows.map((r) => r.stream_id));
  }

  /**
   * The unresolved dead letters, in stream order, of every stream of the subscription whose
   * oldest unresolved one an operator asked to retry.
   */
  async retryQueue(subscription: string): Promise<DeadLetter[]> {
    const res = await this.pool.query<Row>(
      `SELECT d.* FROM subscription_dead_letters d
        WHERE d.subscription_name = $1 AND d.resolved_at IS NULL
          AND d.stream_id IN (SELECT stream_id FROM subscription_dead_letters WHERE subscription_name = $1 AND status = 'retry' AND resolved_at IS NULL)
        ORDER BY d.stream_id, d.stream_revision`,
      [subscription],
    );
    return res.rows.map(toDeadLetter);
  }

  async markApplied(id: string, client: ClientBase | Pool = this.pool): Promise<void> {
    await client.query(`UPDATE subscription_dead_letters SET status = 'applied', resolved_at = now() WHERE id = $1`, [id]);
  }

  /** A retry failed: the letter is failed again, and what was queued behind it in its stream is parked again. */
  async markRetryFailed(letter: DeadLetter, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE subscription_dead_letters
          SET status = CASE WHEN id = $1 THEN 'failed' ELSE 'parked' END,
              error = CASE WHEN id = $1 THEN $4 ELSE error END,
              attempts = CASE WHEN id = $1 THEN attempts + 1 ELSE attempts END,
              last_failed_at = CASE WHEN id = $1 THEN now() ELSE last_failed_at END
        WHERE subscription_name = $2 AND stream_id = $3 AND resolved_at IS NULL AND stream_revision >= $5`,
      [letter.id, letter.subscription, letter.streamId, error, letter.revision],
    );
  }

  async list(filter: { subscription?: string; includeResolved?: boolean; limit?: number } = {}): Promise<DeadLetter[]> {
    const res = await this.pool.query<Row>(
      `SELECT * FROM subscription_dead_letters
        WHERE ($1::text IS NULL OR subscription_name = $1) AND ($2 OR resolved_at IS NULL)
        ORDER BY subscription_name, first_failed_at, id LIMIT $3`,
      [filter.subscription ?? null, filter.includeResolved ?? false, filter.limit ?? 1000],
    );
    return res.rows.map(toDeadLetter);
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const res = await this.pool.query<Row>('SELECT * FROM subscription_dead_letters WHERE id = $1', [id]);
    return res.rows[0] ? toDeadLetter(res.rows[0]) : undefined;
  }

  /**
   * Asks the subscription to apply this dead letter again, with the ones parked behind it in its
   * stream (in order). Returns the letters queued; none when it is resolved already.
   */
  async requestRetry(id: string): Promise<number> {
    const letter = await this.get(id);
    if (!letter || letter.resolvedAt) return 0;
    const res = await this.pool.query(
      `UPDATE subscription_dead_letters SET status = 'retry'
        WHERE subscription_name = $1 AND stream_id = $2 AND resolved_at IS NULL AND stream_revision >= $3`,
      [letter.subscription, letter.streamId, letter.revision],
    );
    return res.rowCount ?? 0;
  }

  /** Every unresolved dead letter of the subscription to be retried. */
  async requestRetryAll(subscription: string): Promise<number> {
    const res = await this.pool.query(`UPDATE subscription_dead_letters SET status = 'retry' WHERE subscription_name = $1 AND resolved_at IS NULL`, [
      subscription,
    ]);
    return res.rowCount ?? 0;
  }

  /**
   * Gives up on this dead letter for good; the ones parked behind it in its stream are queued for
   * a retry (the stream goes on without it). Returns false when it is unknown or resolved already.
   */
  async skip(id: string): Promise<{ skipped: boolean; requeued: number }> {
    const letter = await this.get(id);
    if (!letter || letter.resolvedAt) return { skipped: false, requeued: 0 };
    await this.pool.query(`UPDATE subscription_dead_letters SET status = 'skipped', resolved_at = now() WHERE id = $1`, [id]);
    const res = await this.pool.query(
      `UPDATE subscription_dead_letters SET status = 'retry'
        WHERE subscription_name = $1 AND stream_id = $2 AND resolved_at IS NULL AND stream_revision > $3`,
      [letter.subscription, letter.streamId, letter.revision],
    );
    return { skipped: true, requeued: res.rowCount ?? 0 };
  }
}

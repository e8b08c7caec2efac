import { EventEmitter } from 'node:events';
import type { Pool } from 'pg';
import { CursorPrunedError, PartnerCloudEvent, RelayMessage, RelaySource } from '@childledger/partner-streams';

export interface FeedPage {
  events: PartnerCloudEvent[];
  /** Outbox sequence of each event (same order). */
  sequences: bigint[];
}

/**
 * Wakes feed readers (SSE, relays) in this process as soon as a projection commits; readers in
 * other processes poll, so correctness never depends on a wake-up.
 */
export class OutboxSignal {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  committed(partnerId: string): void {
    this.emitter.emit(partnerId);
  }

  /** Resolves on the next commit for the partner, after `timeoutMs`, or when the signal aborts. */
  wait(partnerId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(partnerId, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.on(partnerId, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

interface OutboxRow {
  pruned_through: string;
  seq_text: string | null;
  json: string | null;
  traceparent: string | null;
}

export interface RawFeedPage {
  /** Each event as CloudEvent JSON text, straight from PostgreSQL (no parse, no re-serialise). */
  json: string[];
  sequences: bigint[];
  /** The `traceparent` of the command behind each event (same order; null when it had none): for the delivery's trace links, never served. */
  traceparents: (string | null)[];
}

/** Reads a partner's outbox in order: the HTTP feed, the SSE tail and the Kafka relay all read through here. */
export class PgPartnerFeed implements RelaySource {
  constructor(
    private readonly pool: Pool,
    private readonly signal: OutboxSignal = new OutboxSignal(),
    private readonly pollMs = 200,
  ) {}

  /**
   * Events after `after` (`null`: from the oldest retained event). The personal fields (blanked on
   * erasure) are merged back into `data` by PostgreSQL. Throws CursorPrunedError when `after` is
   * before what the outbox still retains: the pruning horizon and the rows are read in one
   * statement (one snapshot), so a prune committing meanwhile can never open a silent gap.
   */
  async pageRaw(partnerId: string, after: bigint | null, limit: number): Promise<RawFeedPage> {
    const res = await this.pool.query<OutboxRow>(
      `SELECT h.pruned_through::text AS pruned_through, o.seq::text AS seq_text, o.json, o.traceparent
         FROM (SELECT coalesce((SELECT pruned_through FROM partner_outbox_horizons WHERE partner_id = $1), 0) AS pruned_through) h
         LEFT JOIN LATERAL (
           SELECT seq, traceparent, (CASE WHEN personal IS NULL THEN event ELSE jsonb_set(event, '{data,personal}', personal) END)::text AS json
             FROM partner_outbox WHERE partner_id = $1 AND seq > greatest($2::bigint, h.pruned_through) ORDER BY partner_outbox.seq LIMIT $3
         ) o ON true
        ORDER BY o.seq`,
      [partnerId, (after ?? 0n).toString(), limit],
    );
    // One row at least (the horizon's, with null columns when the page is empty).
    const prunedThrough = BigInt(res.rows[0]?.pruned_through ?? '0');
    if (after !== null && after < prunedThrough) throw new CursorPrunedError(partnerId, after, prunedThrough);
    const rows = res.rows.filter((r): r is OutboxRow & { seq_text: string; json: string } => r.seq_text !== null);
    return { json: rows.map((r) => r.json), sequences: rows.map((r) => BigInt(r.seq_text)), traceparents: rows.map((r) => r.traceparent) };
  }

  async page(partnerId: string, after: bigint | null, limit: number): Promise<FeedPage> {
    const raw = await this.pageRaw(partnerId, after, limit);
    return { events: raw.json.map((j) => JSON.parse(j) as PartnerCloudEvent), sequences: raw.sequences };
  }

  /** The relay: a new relay (no checkpoint) starts at the oldest retained event; a checkpoint before it throws (never skips). */
  async read(partnerId: string, after: string | null, limit: number): Promise<RelayMessage[]> {
    const raw = await this.pageRaw(partnerId, after === null ? null : BigInt(after), limit);
    return raw.json.map((json, i) => {
      const traceparent = raw.traceparents[i];
      return { event: JSON.parse(json) as PartnerCloudEvent, position: raw.sequences[i]!.toString(), ...(traceparent ? { traceparent } : {}) };
    });
  }

  wait(partnerId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.signal.wait(partnerId, Math.min(timeoutMs, this.pollMs), signal);
  }
}

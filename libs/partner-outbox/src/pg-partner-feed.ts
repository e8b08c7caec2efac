import { EventEmitter } from 'node:events';
import type { Pool } from 'pg';
import type { PartnerCloudEvent, RelayMessage, RelaySource } from '@childledger/partner-streams';

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
  seq_text: string;
  json: string;
}

export interface RawFeedPage {
  /** Each event as CloudEvent JSON text, straight from PostgreSQL (no parse, no re-serialise). */
  json: string[];
  sequences: bigint[];
}

/** Reads a partner's outbox in order: the HTTP feed, the SSE tail and the Kafka relay all read through here. */
export class PgPartnerFeed implements RelaySource {
  constructor(
    private readonly pool: Pool,
    private readonly signal: OutboxSignal = new OutboxSignal(),
    private readonly pollMs = 200,
  ) {}

  /** The personal fields (blanked on erasure) are merged back into `data` by PostgreSQL. */
  async pageRaw(partnerId: string, after: bigint, limit: number): Promise<RawFeedPage> {
    const res = await this.pool.query<OutboxRow>(
      `SELECT seq::text AS seq_text,
              (CASE WHEN personal IS NULL THEN event ELSE jsonb_set(event, '{data,personal}', personal) END)::text AS json
         FROM partner_outbox WHERE partner_id = $1 AND seq > $2 ORDER BY partner_outbox.seq LIMIT $3`,
      [partnerId, after.toString(), limit],
    );
    return { json: res.rows.map((r) => r.json), sequences: res.rows.map((r) => BigInt(r.seq_text)) };
  }

  async page(partnerId: string, after: bigint, limit: number): Promise<FeedPage> {
    const raw = await this.pageRaw(partnerId, after, limit);
    return { events: raw.json.map((j) => JSON.parse(j) as PartnerCloudEvent), sequences: raw.sequences };
  }

  async read(partnerId: string, after: string | null, limit: number): Promise<RelayMessage[]> {
    const page = await this.page(partnerId, after === null ? 0n : BigInt(after), limit);
    return page.events.map((event, i) => ({ event, position: page.sequences[i]!.toString() }));
  }

  wait(partnerId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.signal.wait(partnerId, Math.min(timeoutMs, this.pollMs), signal);
  }
}

import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@childledger/database';
import { PgCheckpointStore } from '@childledger/event-store';
import { PartnerAgreement, retentionDaysOf } from '@childledger/partner-streams';
import { kafkaRelayName } from './pg-relay-checkpoints';

const DAY_MS = 86_400_000;
const MAX_SEQ = 9_223_372_036_854_775_807n;

/** What may be pruned from one partner's outbox. */
export interface OutboxRetention {
  partnerId: string;
  retentionDays: number;
  /**
   * Checkpoint name of a relay that must have delivered a row before it is pruned (the Kafka
   * relay); no checkpoint under that name yet: nothing is pruned.
   */
  relayCheckpoint?: string;
}

/** The retention an agreement sets: its days (or the default), and the Kafka relay when it has the kafka channel. */
export function outboxRetention(agreement: PartnerAgreement): OutboxRetention {
  return {
    partnerId: agreement.id,
    retentionDays: retentionDaysOf(agreement),
    ...(agreement.channels.includes('kafka') ? { relayCheckpoint: kafkaRelayName(agreement.id) } : {}),
  };
}

export interface PruneResult {
  partnerId: string;
  /** Rows deleted by this run. */
  deleted: number;
  /** Transactions (batches) that deleted rows. */
  batches: number;
  /** The last outbox sequence pruned for the partner so far (0: none). */
  prunedThrough: bigint;
  /** Expired rows were kept because the relay has not delivered them yet. */
  heldByRelay: boolean;
  /** Another pruner held this partner's lock: skipped this time. */
  skipped: boolean;
}

export interface OutboxPrunerOptions {
  /** Rows deleted per transaction (each batch is its own short transaction). */
  batchSize?: number;
}

/**
 * Deletes the rows of a partner's outbox older than its retention, oldest first, in batches of
 * `batchSize` rows, each in its own short transaction (no long locks: the projection keeps
 * appending, readers keep reading). Only a leading run of the partner's stream is ever deleted,
 * so what remains is always the stream from some point on, and that point (`pruned_through`, the
 * last sequence deleted) is saved in the same transaction: a feed reader whose cursor is before
 * it gets a 410, never a silent gap. A row after the relay's checkpoint is never deleted.
 */
export class PgOutboxPruner {
  private readonly checkpoints: PgCheckpointStore;
  private readonly batchSize: number;

  constructor(
    private readonly pool: Pool,
    options: OutboxPrunerOptions = {},
  ) {
    this.checkpoints = new PgCheckpointStore(pool);
    this.batchSize = options.batchSize ?? 5000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  }

  /** Prunes one partner's outbox as of `now` (rows written before `now - retentionDays` are expired). */
  async prunePartner(retention: OutboxRetention, now: Date = new Date()): Promise<PruneResult> {
    const cutoff = new Date(now.getTime() - retention.retentionDays * DAY_MS);
    const result: PruneResult = { partnerId: retention.partnerId, deleted: 0, batches: 0, prunedThrough: 0n, heldByRelay: false, skipped: false };
    for (;;) {
      const batch = await this.pruneBatch(retention, cutoff);
      if (batch === 'locked') return { ...result, skipped: true };
      result.prunedThrough = batch.prunedThrough;
      result.heldByRelay ||= batch.heldByRelay;
      if (batch.deleted > 0) {
        result.deleted += batch.deleted;
        result.batches++;
      }
      if (batch.deleted < this.batchSize) return result;
    }
  }

  /** Prunes every partner in turn. */
  async prune(retentions: readonly OutboxRetention[], now: Date = new Date()): Promise<PruneResult[]> {
    const out: PruneResult[] = [];
    for (const r of retentions) out.push(await this.prunePartner(r, now));
    return out;
  }

  private async pruneBatch(retention: OutboxRetention, cutoff: Date): Promise<{ deleted: number; prunedThrough: bigint; heldByRelay: boolean } | 'locked'> {
    return withTransaction(this.pool, async (client) => {
      // One pruner per partner at a time (gateway replicas may each run one); the others skip.
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [`partner-outbox-prune:${retention.partnerId}`]);
      if (lock.rows[0]?.ok !== true) return 'locked';
      const horizon = await this.horizon(client, retention.partnerId);
      let limit = MAX_SEQ;
      if (retention.relayCheckpoint !== undefined) {
        const position = await this.checkpoints.load(retention.relayCheckpoint, client);
        limit = position === null ? 0n : BigInt(position);
      }
      // The first `batchSize` rows after the horizon, in stream order; delete the leading run of
      // expired rows (written before the cutoff and delivered by the relay). The run stops at the
      // first row to keep, so only a prefix of the stream is ever deleted.
      const res = await client.query<{ seq: string; n: number; held: boolean }>(
        `WITH head AS (
           SELECT seq, written_at < $3 AS old, seq <= $4::bigint AS delivered
             FROM partner_outbox WHERE partner_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT $5
         ), keep AS (
           SELECT min(seq) AS seq FROM head WHERE NOT (old AND delivered)
         ), gone AS (
           DELETE FROM partner_outbox o USING head
            WHERE o.seq = head.seq AND head.seq < coalesce((SELECT seq FROM keep), $6::bigint)
           RETURNING o.seq
         )
         SELECT coalesce((SELECT max(seq) FROM gone), 0)::text AS seq, (SELECT count(*) FROM gone)::int AS n,
                coalesce((SELECT old AND NOT delivered FROM head WHERE seq = (SELECT seq FROM keep)), false) AS held`,
        [retention.partnerId, horizon.toString(), cutoff, limit.toString(), this.batchSize, MAX_SEQ.toString()],
      );
      // One row always (aggregates over the CTEs).
      const row = res.rows[0] ?? { seq: '0', n: 0, held: false };
      let prunedThrough = horizon;
      if (row.n > 0) {
        prunedThrough = BigInt(row.seq);
        await client.query(
          `INSERT INTO partner_outbox_horizons (partner_id, pruned_through) VALUES ($1, $2)
           ON CONFLICT (partner_id) DO UPDATE SET pruned_through = greatest(partner_outbox_horizons.pruned_through, excluded.pruned_through), pruned_at = now()`,
          [retention.partnerId, prunedThrough.toString()],
        );
      }
      return { deleted: row.n, prunedThrough, heldByRelay: row.held };
    });
  }

  private async horizon(client: PoolClient, partnerId: string): Promise<bigint> {
    const res = await client.query<{ pruned_through: string }>(
      'SELECT pruned_through::text AS pruned_through FROM partner_outbox_horizons WHERE partner_id = $1',
      [partnerId],
    );
    return res.rows[0] ? BigInt(res.rows[0].pruned_through) : 0n;
  }
}

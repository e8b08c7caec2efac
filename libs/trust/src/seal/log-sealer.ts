import type { Pool } from 'pg';
import { withTransaction } from '@childledger/database';
import { chainStep, eventDigest, STORED_ROW_SQL, StoredEventRow } from './canonical';
import { SealKey, sealMessage } from './seal-key';

export interface LogSealerOptions {
  pool: Pool;
  key: SealKey;
  /** Seal after this many new events... */
  everyEvents?: number;
  /** ...or when this much time has passed since the last seal and there is something new. */
  everyMs?: number;
  /** Events read per transaction. */
  batchSize?: number;
  /** Wait between reads when the log is idle. */
  pollMs?: number;
  onError?: (err: unknown) => void;
}

interface StateRow {
  seq: string;
  last_transaction_id: string;
  last_position: string;
  head: Buffer;
  sealed_seq: string;
  sealed_at: Date | null;
}

// pg_try_advisory_xact_lock key: one sealer works at a time per database ('seal').
const SEALER_LOCK = 0x7365_616c;

export interface SealStep {
  /** Events chained in this step. */
  chained: number;
  /** The checkpoint written in this step, if any. */
  sealedSeq?: number;
  /** False when another sealer holds the lock. */
  locked: boolean;
  /** True when the batch was full: more events may be waiting. */
  more: boolean;
}

/**
 * Chains every event of the global log, in the store's order ((transaction id, position),
 * read only below the oldest running transaction, like the PostgreSQL adapter's readAll), and
 * writes signed checkpoints. It reads the stored rows of `events` directly, not through the
 * EventStore port: the chain must cover the bytes as stored (ciphertext included), which a
 * decrypting, upcasting reader no longer has. Each step is one transaction: chain rows, the
 * sealer's position and head, and any checkpoint commit together, so a crash leaves both or neither.
 */
export class LogSealer {
  private readonly everyEvents: number;
  private readonly everyMs: number;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private stopping = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private startedAt = Date.now();
  private keyRegistered = false;

  constructor(private readonly options: LogSealerOptions) {
    this.everyEvents = options.everyEvents ?? 1000;
    this.everyMs = options.everyMs ?? 10_000;
    this.batchSize = options.batchSize ?? 1000;
    this.pollMs = options.pollMs ?? 250;
  }

  /** Records the public key (so the endpoint can list it), then runs until `stop()`. */
  start(): void {
    if (this.loop) return;
    this.startedAt = Date.now();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Chains everything committed so far and seals it (tests, shutdown, the CLI). */
  async sealNow(): Promise<SealStep> {
    let total = 0;
    for (;;) {
      const step = await this.step({ force: false });
      total += step.chained;
      if (!step.locked) return step;
      if (!step.more) break;
    }
    const last = await this.step({ force: true });
    return { ...last, chained: total + last.chained };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let step: SealStep | undefined;
      try {
        step = await this.step({ force: false });
      } catch (err) {
        this.options.onError?.(err);
      }
      if (step?.more) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    // Seal what was chained since the last checkpoint, so a clean stop leaves nothing unsealed.
    await this.step({ force: true }).catch((err: unknown) => this.options.onError?.(err));
  }

  async registerKey(): Promise<void> {
    if (this.keyRegistered) return;
    await this.options.pool.query('INSERT INTO log_seal_keys (key_id, public_key) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING', [
      this.options.key.keyId,
      this.options.key.publicKeyRaw,
    ]);
    this.keyRegistered = true;
  }

  /** One transaction: chain the next batch; seal when due (or when `force` and anything is unsealed). */
  async step({ force }: { force: boolean }): Promise<SealStep> {
    await this.registerKey();
    // Nothing is written on the early returns: their COMMIT ends an empty transaction.
    return withTransaction(this.options.pool, async (client) => {
      const locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [SEALER_LOCK])).rows[0]!.ok;
      if (!locked) {
        return { chained: 0, locked: false, more: false };
      }
      const state = (await client.query<StateRow>('SELECT * FROM log_sealer_state WHERE id = 1')).rows[0]!;
      // Never read past the next due checkpoint: checkpoints land exactly every `everyEvents`
      // events, so an inclusion proof holds at most that many digests.
      const limit = Math.max(1, Math.min(this.batchSize, this.everyEvents - (Number(state.seq) - Number(state.sealed_seq))));
      const rows = (
        await client.query<StoredEventRow>(
          `SELECT ${STORED_ROW_SQL} FROM events
            WHERE (events.transaction_id, events.global_position) > ($1::xid8, $2::bigint)
              AND events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY events.transaction_id, events.global_position
            LIMIT $3`,
          [state.last_transaction_id, state.last_position, limit],
        )
      ).rows;
      let seq = Number(state.seq);
      let head: Buffer = state.head;
      if (rows.length > 0) {
        const seqs: number[] = [];
        const digests: Buffer[] = [];
        const hashes: Buffer[] = [];
        for (const row of rows) {
          const d = eventDigest(row);
          head = chainStep(head, d);
          seqs.push(++seq);
          digests.push(d);
          hashes.push(head);
        }
        await client.query(
          `INSERT INTO log_chain (seq, global_position, transaction_id, event_id, event_digest, chain_hash)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::xid8[], $4::uuid[], $5::bytea[], $6::bytea[])`,
          [seqs, rows.map((r) => r.position), rows.map((r) => r.transactionId), rows.map((r) => r.eventId), digests, hashes],
        );
      }
      const last = rows[rows.length - 1];
      const lastTx = last ? last.transactionId : state.last_transaction_id;
      const lastPos = last ? last.position : state.last_position;
      const sealedSeq = Number(state.sealed_seq);
      const sinceSeal = Date.now() - (state.sealed_at?.getTime() ?? this.startedAt);
      let sealed: number | undefined;
      if (seq > sealedSeq && (force || seq - sealedSeq >= this.everyEvents || sinceSeal >= this.everyMs)) {
        const c = { seq, head: head.toString('hex'), position: `${lastTx}:${lastPos}`, sealedAt: new Date().toISOString(), keyId: this.options.key.keyId };
        const signature = this.options.key.sign(sealMessage(c));
        await client.query('INSERT INTO log_seals (seq, chain_head, position, sealed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)', [
          seq,
          head,
          c.position,
          c.sealedAt,
          c.keyId,
          signature,
        ]);
        sealed = seq;
      }
      if (rows.length === 0 && sealed === undefined) {
        // Idle: nothing to write (no row churn while the log is quiet).
        return { chained: 0, locked: true, more: false };
      }
      await client.query(
        `UPDATE log_sealer_state SET seq = $1, last_transaction_id = $2::xid8, last_position = $3, head = $4,
                sealed_seq = $5, sealed_at = CASE WHEN $6 THEN now() ELSE sealed_at END WHERE id = 1`,
        [seq, lastTx, lastPos, head, sealed ?? sealedSeq, sealed !== undefined],
      );
      return { chained: rows.length, sealedSeq: sealed, locked: true, more: rows.length === limit };
    });
  }
}

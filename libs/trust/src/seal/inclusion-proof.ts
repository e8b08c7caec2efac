import type { Pool } from 'pg';
import { chainStep, eventDigest, GENESIS, STORED_ROW_SQL, StoredEventRow } from './canonical';
import { SealedCheckpoint, TrustedSealKeys, verifySealSignature } from './seal-key';

/**
 * Proof that one stored event is covered by a signed checkpoint, without the rest of the log:
 * the event's stored row, the chain hash just before it (h_{n-1}) and the digests of the events
 * after it up to the checkpoint (d_{n+1} … d_m, 32 bytes each, nothing of those events' content).
 * Folding them gives h_m, which the checkpoint signs. Forging a proof for an altered row means
 * finding a SHA-256 collision or a second preimage.
 */
export interface InclusionProof {
  version: 1;
  seq: number;
  /** The event as stored (personal data still encrypted): the bytes that were chained. */
  record: StoredEventRow;
  /** hex */
  previousHash: string;
  /** hex, one per event after this one up to the checkpoint */
  followingDigests: string[];
  checkpoint: SealedCheckpoint;
}

export class ProofNotAvailableError extends Error {
  constructor(
    message: string,
    readonly reason: 'unknown-event' | 'not-sealed-yet',
  ) {
    super(message);
    this.name = 'ProofNotAvailableError';
  }
}

/** Builds the proof for `eventId` against the first checkpoint that covers it (the shortest proof). */
export async function buildInclusionProof(pool: Pool, eventId: string): Promise<InclusionProof> {
  const link = await pool.query<{ seq: string; previous: Buffer | null }>(
    `SELECT c.seq::text, p.chain_hash AS previous FROM log_chain c LEFT JOIN log_chain p ON p.seq = c.seq - 1 WHERE c.event_id = $1`,
    [eventId],
  );
  const l = link.rows[0];
  if (!l) throw new ProofNotAvailableError(`event ${eventId} is not in the chain (unknown, or not chained yet)`, 'unknown-event');
  const seq = Number(l.seq);
  const seal = await pool.query<{ seq: string; chain_head: Buffer; position: string; sealed_at: string; key_id: string; signature: Buffer }>(
    'SELECT seq::text, chain_head, position, sealed_at, key_id, signature FROM log_seals WHERE log_seals.seq >= $1 ORDER BY log_seals.seq LIMIT 1',
    [seq],
  );
  const s = seal.rows[0];
  if (!s) throw new ProofNotAvailableError(`event ${eventId} is chained (seq ${seq}) but no checkpoint covers it yet`, 'not-sealed-yet');
  const record = await pool.query<StoredEventRow>(`SELECT ${STORED_ROW_SQL} FROM events WHERE event_id = $1`, [eventId]);
  if (!record.rows[0]) throw new ProofNotAvailableError(`event ${eventId} was chained but is no longer in the log`, 'unknown-event');
  const following = await pool.query<{ event_digest: Buffer }>('SELECT event_digest FROM log_chain WHERE seq > $1 AND seq <= $2 ORDER BY seq', [seq, s.seq]);
  return {
    version: 1,
    seq,
    record: record.rows[0],
    previousHash: (l.previous ?? GENESIS).toString('hex'),
    followingDigests: following.rows.map((r) => r.event_digest.toString('hex')),
    checkpoint: {
      seq: Number(s.seq),
      head: s.chain_head.toString('hex'),
      position: s.position,
      sealedAt: s.sealed_at,
      keyId: s.key_id,
      signature: s.signature.toString('base64'),
    },
  };
}

/**
 * What an inspector runs: recomputes the event's digest from the record, folds the chain up to
 * the checkpoint and checks the checkpoint's signature with a key the inspector trusts.
 */
export function verifyInclusionProof(proof: InclusionProof, keys: TrustedSealKeys): { ok: true } | { ok: false; reason: string } {
  if (proof.version !== 1) return { ok: false, reason: `unknown proof version ${String(proof.version)}` };
  if (proof.checkpoint.seq !== proof.seq + proof.followingDigests.length) {
    return {
      ok: false,
      reason: `the proof covers seq ${proof.seq}..${proof.seq + proof.followingDigests.length} but the checkpoint is at seq ${proof.checkpoint.seq}`,
    };
  }
  let head = chainStep(Buffer.from(proof.previousHash, 'hex'), eventDigest(proof.record));
  for (const d of proof.followingDigests) head = chainStep(head, Buffer.from(d, 'hex'));
  if (head.toString('hex') !== proof.checkpoint.head)
    return { ok: false, reason: 'the record does not lead to the checkpoint head: the record or the proof was altered' };
  return verifySealSignature(proof.checkpoint, keys);
}

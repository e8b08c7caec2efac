import type { Pool } from 'pg';
import { databaseLogSource, Problem, verifyLog } from './log-verifier';
import { parseTrustedSealKey, TrustedSealKeys, trustedSealKeys } from './seal-key';

/** The keys a server-side check trusts, and where they came from. */
export interface IntegrityKeys {
  keys: TrustedSealKeys;
  /**
   * `configured`: given to the service by its operator (CHILDLEDGER_TRUSTED_SEAL_KEYS), like
   * `verify-log --public-key`. `database`: the keys `log_seal_keys` lists — whoever can rewrite the
   * database could list their own, so the key id shown must be compared with the published one.
   */
  source: 'configured' | 'database';
}

/** What verify-log says about the log up to its last signed checkpoint, for a status screen. */
export interface IntegrityStatus {
  status: 'passed' | 'failed' | 'no_checkpoint';
  checkedAt: string;
  durationMs: number;
  lastCheckpoint: { seq: number; position: string; sealedAt: string; keyId: string } | null;
  events: number;
  sealed: number;
  unsealed: number;
  checkpoints: number;
  problems: { kind: Problem['kind']; seq: number | null; position: string | null; eventId: string | null; message: string }[];
  trustedKeys: { keyId: string; source: IntegrityKeys['source'] }[];
}

/** Keys from an operator's list (`<base64>` or `<base64>@<lastSeq>`, comma-separated), or undefined when the list is empty. */
export function configuredSealKeys(list: string | undefined): IntegrityKeys | undefined {
  const values = (list ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (values.length === 0) return undefined;
  return { keys: trustedSealKeys(values.map(parseTrustedSealKey)), source: 'configured' };
}

/** The public keys the sealer recorded in `log_seal_keys` (trusted only as far as the database is). */
export async function databaseSealKeys(pool: Pool): Promise<IntegrityKeys> {
  const { rows } = await pool.query<{ public_key: Buffer }>('SELECT public_key FROM log_seal_keys ORDER BY first_used_at');
  return { keys: trustedSealKeys(rows.map((r) => r.public_key.toString('base64'))), source: 'database' };
}

/**
 * Runs the verifier of `npm run cli -- verify-log` over the log in the database: every stored
 * event's digest recomputed and compared with the chain, every checkpoint's head and signature
 * checked with `keys`. `passed` means no problem up to the last signed checkpoint (events after it
 * are counted as unsealed); the first problem found is reported with its kind, seq and position.
 */
export async function checkLogIntegrity(pool: Pool, keys: IntegrityKeys): Promise<IntegrityStatus> {
  const started = Date.now();
  const source = databaseLogSource(pool);
  const report = await verifyLog(source, keys.keys);
  const seals = await source.seals();
  const last = seals.reduce<(typeof seals)[number] | undefined>((a, s) => (!a || s.seq > a.seq ? s : a), undefined);
  return {
    status: !report.ok ? 'failed' : last ? 'passed' : 'no_checkpoint',
    checkedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    lastCheckpoint: last ? { seq: last.seq, position: last.position, sealedAt: String(last.sealedAt), keyId: last.keyId } : null,
    events: report.events,
    sealed: report.sealed,
    unsealed: report.unsealed,
    checkpoints: report.checkpoints,
    problems: report.problems.map((p) => ({ kind: p.kind, seq: p.seq ?? null, position: p.position ?? null, eventId: p.eventId ?? null, message: p.message })),
    trustedKeys: [...keys.keys.keys()].map((keyId) => ({ keyId, source: keys.source })),
  };
}

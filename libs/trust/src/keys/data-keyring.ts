import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction } from '@childledger/database';
import { DataKey, deriveDataKey } from '../encryption/envelope';
import type { KeyEncryptionKey } from './key-encryption-key';

/** Personal data cannot be written for a child whose data was erased: its key is gone for good. */
export class PersonalDataErasedError extends Error {
  constructor(readonly subject: string) {
    super(`personal data of child ${subject} was erased; no personal data can be recorded for it`);
    this.name = 'PersonalDataErasedError';
  }
}

/**
 * A data key is wrapped by a key-encryption key this keyring was not given (after a rotation:
 * the old KEK is missing from CHILDLEDGER_KEK_PREVIOUS, or was removed before `keys rewrap`).
 * Names the KEK's id (a fingerprint) and the child id, never key material.
 */
export class KeyEncryptionKeyNotConfiguredError extends Error {
  constructor(
    readonly kekId: string,
    readonly subject: string,
  ) {
    super(
      `the data key of ${subject} is wrapped by key-encryption key ${kekId}, which is not configured (neither CHILDLEDGER_KEK nor CHILDLEDGER_KEK_PREVIOUS)`,
    );
    this.name = 'KeyEncryptionKeyNotConfiguredError';
  }
}

/** Per-child data keys. */
export interface DataKeyring {
  /** Keys of these subjects for reading; a subject whose key was destroyed (or never existed) is absent. */
  find(subjects: Iterable<string>): Promise<Map<string, DataKey>>;
  /** Keys for writing, created when missing. Throws PersonalDataErasedError for an erased subject. */
  findOrCreate(subjects: Iterable<string>, options?: { probablyNew?: boolean }): Promise<Map<string, DataKey>>;
  /** Destroys the subject's key and records that it was erased (one transaction). Idempotent. */
  destroy(subject: string): Promise<void>;
}

export const DATA_KEYRING = Symbol('DataKeyring');

export interface PgDataKeyringOptions {
  /** Wraps new keys; unwraps keys it wrapped. */
  kek: KeyEncryptionKey;
  /** Older key-encryption keys, to unwrap rows not yet rewrapped after a rotation. */
  previous?: KeyEncryptionKey[];
  /**
   * How long an unwrapped key is reused without asking the database again. An erasure evicts the
   * key at once in this process; other processes stop using it within this time.
   */
  cacheTtlMs?: number;
}

// Keyrings of this process: an erasure evicts the key from all of them (npm start runs every
// service in one process, each with its own keyring).
const LIVE = new Set<PgDataKeyring>();

interface KeyRow {
  subject: string;
  wrapped_key: Buffer;
  kek_id: string;
}

/** Data keys in PostgreSQL (`child_data_keys`), wrapped by the key-encryption key. */
export class PgDataKeyring implements DataKeyring {
  private readonly keks: Map<string, KeyEncryptionKey>;
  private readonly cache = new Map<string, { key: DataKey; until: number }>();
  private readonly ttl: number;

  constructor(
    private readonly pool: Pool,
    private readonly options: PgDataKeyringOptions,
  ) {
    this.keks = new Map([options.kek, ...(options.previous ?? [])].map((k) => [k.id, k]));
    this.ttl = options.cacheTtlMs ?? 1000;
    LIVE.add(this);
  }

  /** Forget this keyring in the process-wide eviction list (the pool stays the caller's). */
  close(): void {
    LIVE.delete(this);
    this.cache.clear();
  }

  private cached(subjects: readonly string[]): Map<string, DataKey> {
    const out = new Map<string, DataKey>();
    const now = Date.now();
    for (const s of subjects) {
      const hit = this.cache.get(s);
      if (hit && hit.until > now) out.set(s, hit.key);
    }
    return out;
  }

  async find(subjects: Iterable<string>): Promise<Map<string, DataKey>> {
    const out = new Map<string, DataKey>();
    const missing: string[] = [];
    const now = Date.now();
    for (const s of new Set(subjects)) {
      const hit = this.cache.get(s);
      if (hit && hit.until > now) out.set(s, hit.key);
      else missing.push(s);
    }
    if (missing.length === 0) return out;
    const res = await this.pool.query<KeyRow>('SELECT subject, wrapped_key, kek_id FROM child_data_keys WHERE subject = ANY($1::text[])', [missing]);
    for (const row of res.rows) out.set(row.subject, await this.remember(row));
    return out;
  }

  /**
   * The subjects' keys, created for those that have none. With `probablyNew` (a registration), the
   * look-up before the insert is skipped: the insert itself tells which keys already existed.
   */
  async findOrCreate(subjects: Iterable<string>, options: { probablyNew?: boolean } = {}): Promise<Map<string, DataKey>> {
    const wanted = [...new Set(subjects)];
    const out = options.probablyNew ? this.cached(wanted) : await this.find(wanted);
    const missing = wanted.filter((s) => !out.has(s));
    if (missing.length === 0) return out;
    const rows = await Promise.all(missing.map(async (subject) => ({ subject, raw: randomBytes(32) })));
    const wrapped = await Promise.all(rows.map((r) => this.options.kek.wrap(r.raw, r.subject)));
    // Inserted only if the subject was never erased; a concurrent writer may have created it first.
    // The insert commits without waiting for its WAL flush (synchronous_commit off for this one
    // transaction): no event can use the key before an event's own commit, which flushes the WAL up
    // to and past this commit record. A crash before that loses only a key nothing refers to.
    const inserted = await this.pool.query<{ subject: string }>(
      `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
       INSERT INTO child_data_keys (subject, wrapped_key, kek_id)
       SELECT n.subject, n.wrapped_key, $3 FROM unnest($1::text[], $2::bytea[]) AS n(subject, wrapped_key), async_commit
        WHERE NOT EXISTS (SELECT 1 FROM erased_data_subjects e WHERE e.subject = n.subject)
       ON CONFLICT (subject) DO NOTHING
       RETURNING subject`,
      [rows.map((r) => r.subject), wrapped, this.options.kek.id],
    );
    const ours = new Set(inserted.rows.map((r) => r.subject));
    for (const r of rows) {
      if (!ours.has(r.subject)) continue;
      const key = deriveDataKey(r.subject, r.raw);
      this.cache.set(r.subject, { key, until: Date.now() + this.ttl });
      out.set(r.subject, key);
    }
    // Lost a race (another writer's key is the one stored) or erased meanwhile.
    const others = missing.filter((s) => !ours.has(s));
    if (others.length > 0) {
      const created = await this.find(others);
      for (const subject of others) {
        const key = created.get(subject);
        if (!key) throw new PersonalDataErasedError(subject);
        out.set(subject, key);
      }
    }
    return out;
  }

  async destroy(subject: string): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO erased_data_subjects (subject) VALUES ($1) ON CONFLICT (subject) DO NOTHING', [subject]);
      await client.query('DELETE FROM child_data_keys WHERE subject = $1', [subject]);
    });
    for (const k of LIVE) k.cache.delete(subject);
  }

  /** Keys written after an erasure by a racing writer: delete them (part of the startup sweep). */
  async destroyKeysOfErasedSubjects(): Promise<number> {
    const res = await this.pool.query<{ subject: string }>(
      'DELETE FROM child_data_keys k USING erased_data_subjects e WHERE k.subject = e.subject RETURNING k.subject',
    );
    for (const row of res.rows) for (const k of LIVE) k.cache.delete(row.subject);
    return res.rowCount ?? 0;
  }

  private async remember(row: KeyRow): Promise<DataKey> {
    const kek = this.keks.get(row.kek_id);
    if (!kek) throw new KeyEncryptionKeyNotConfiguredError(row.kek_id, row.subject);
    const key = deriveDataKey(row.subject, await kek.unwrap(row.wrapped_key, row.subject));
    this.cache.set(row.subject, { key, until: Date.now() + this.ttl });
    return key;
  }
}

/** How many data keys each key-encryption key wraps (`keys status`; the application role may read this too). */
export async function countDataKeysByKek(pool: Pool): Promise<{ kekId: string; keys: number }[]> {
  const { rows } = await pool.query<{ kek_id: string; keys: string }>('SELECT kek_id, count(*) AS keys FROM child_data_keys GROUP BY kek_id ORDER BY kek_id');
  return rows.map((r) => ({ kekId: r.kek_id, keys: Number(r.keys) }));
}

/**
 * Data keys are wrapped by key-encryption keys that were not given to `rewrapDataKeys`. Names the
 * KEKs' ids (fingerprints) and counts, never key material; `rewrapped` keys were done before it stopped.
 */
export class UnknownKeyEncryptionKeyError extends Error {
  constructor(
    readonly unknown: { kekId: string; keys: number }[],
    readonly rewrapped: number,
  ) {
    const which = unknown.map((u) => `${u.keys} wrapped by ${u.kekId}`).join(', ');
    super(`data keys are wrapped by a key-encryption key that was not given (${which}); nothing was written for them`);
    this.name = 'UnknownKeyEncryptionKeyError';
  }
}

export interface RewrapProgress {
  /** Keys not wrapped by the target KEK when the job started (grows if writers add some meanwhile). */
  total: number;
  rewrapped: number;
  /** Rows that changed or disappeared between read and update (erased meanwhile, rewrapped by another run). */
  skipped: number;
}

export interface RewrapResult {
  /** The KEK every key is now wrapped by. */
  kekId: string;
  rewrapped: number;
  /** Keys already wrapped by it when the job started. */
  alreadyCurrent: number;
  skipped: number;
}

export interface RewrapOptions {
  /** Rows read and updated per statement (default 500). */
  batchSize?: number;
  /** Called after every batch is committed. */
  onProgress?: (progress: RewrapProgress) => void | Promise<void>;
}

/**
 * Rewraps every data key not wrapped by `to` with `to` (KEK rotation), unwrapping with the `from`
 * keys. Run with the owner's connection (the application role may not UPDATE keys).
 *
 * - Refuses to start (UnknownKeyEncryptionKeyError) when a row is wrapped by a KEK in neither
 *   `from` nor `to`; a row with an unknown KEK found later stops the job before its batch is written.
 * - Each batch is one UPDATE that only touches a row still holding the wrapping that was read: a
 *   key erased (or rewrapped by another run) in between is skipped, never recreated.
 * - Each new wrapping is unwrapped again and compared before it replaces the old one, so a faulty
 *   KEK implementation cannot destroy a key.
 * - Idempotent and resumable: committed batches stay done; running it again continues with what
 *   is left and rewraps nothing once every key is current.
 */
export async function rewrapDataKeys(ownerPool: Pool, from: KeyEncryptionKey[], to: KeyEncryptionKey, options: RewrapOptions = {}): Promise<RewrapResult> {
  const keks = new Map(from.filter((k) => k.id !== to.id).map((k) => [k.id, k]));
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a positive whole number');
  const before = await countDataKeysByKek(ownerPool);
  const unknown = before.filter((c) => c.kekId !== to.id && !keks.has(c.kekId));
  if (unknown.length > 0) throw new UnknownKeyEncryptionKeyError(unknown, 0);
  const alreadyCurrent = before.find((c) => c.kekId === to.id)?.keys ?? 0;
  const progress: RewrapProgress = { total: before.reduce((n, c) => n + (c.kekId === to.id ? 0 : c.keys), 0), rewrapped: 0, skipped: 0 };

  // Passes in subject order (the primary key: each batch is one index range, no rescans). A pass
  // that found something is followed by another, which picks up rows that a writer still running
  // with an old KEK inserted behind the first; the job ends after a pass that finds nothing.
  for (;;) {
    let found = 0;
    let after: string | undefined;
    for (;;) {
      const { rows } =
        after === undefined
          ? await ownerPool.query<KeyRow>('SELECT subject, wrapped_key, kek_id FROM child_data_keys WHERE kek_id <> $1 ORDER BY subject LIMIT $2', [
              to.id,
              batchSize,
            ])
          : await ownerPool.query<KeyRow>(
              'SELECT subject, wrapped_key, kek_id FROM child_data_keys WHERE subject > $3 AND kek_id <> $1 ORDER BY subject LIMIT $2',
              [to.id, batchSize, after],
            );
      if (rows.length === 0) break;
      found += rows.length;
      after = rows[rows.length - 1]?.subject;
      const batch: { row: KeyRow; kek: KeyEncryptionKey }[] = [];
      const unknownHere = new Map<string, number>();
      for (const row of rows) {
        const kek = keks.get(row.kek_id);
        if (kek) batch.push({ row, kek });
        else unknownHere.set(row.kek_id, (unknownHere.get(row.kek_id) ?? 0) + 1);
      }
      if (unknownHere.size > 0) {
        throw new UnknownKeyEncryptionKeyError(
          [...unknownHere].map(([kekId, keys]) => ({ kekId, keys })),
          progress.rewrapped,
        );
      }
      const wrapped = await Promise.all(batch.map(({ row, kek }) => rewrapOne(row, kek, to)));
      const updated = await ownerPool.query(
        `UPDATE child_data_keys k SET wrapped_key = n.wrapped_key, kek_id = $4
           FROM unnest($1::text[], $2::bytea[], $3::bytea[]) AS n(subject, wrapped_key, old_wrapped_key)
          WHERE k.subject = n.subject AND k.wrapped_key = n.old_wrapped_key`,
        [rows.map((r) => r.subject), wrapped, rows.map((r) => r.wrapped_key), to.id],
      );
      progress.rewrapped += updated.rowCount ?? 0;
      progress.skipped += rows.length - (updated.rowCount ?? 0);
      progress.total = Math.max(progress.total, progress.rewrapped + progress.skipped);
      await options.onProgress?.({ ...progress });
    }
    if (found === 0) break;
  }
  return { kekId: to.id, rewrapped: progress.rewrapped, alreadyCurrent, skipped: progress.skipped };
}

async function rewrapOne(row: KeyRow, from: KeyEncryptionKey, to: KeyEncryptionKey): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await from.unwrap(row.wrapped_key, row.subject);
  } catch (cause) {
    throw new Error(`the data key of ${row.subject} does not unwrap with key-encryption key ${row.kek_id} (altered row?); nothing was written for it`, {
      cause,
    });
  }
  try {
    const wrapped = await to.wrap(raw, row.subject);
    const check = await to.unwrap(wrapped, row.subject);
    const same = check.equals(raw);
    check.fill(0);
    if (!same) throw new Error(`key-encryption key ${to.id} did not give back the data key of ${row.subject} it wrapped; nothing was written for it`);
    return wrapped;
  } finally {
    raw.fill(0);
  }
}

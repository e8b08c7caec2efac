import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { DataKey, deriveDataKey } from '../encryption/envelope';
import type { KeyEncryptionKey } from './key-encryption-key';

/** Personal data cannot be written for a child whose data was erased: its key is gone for good. */
export class PersonalDataErasedError extends Error {
  constructor(readonly subject: string) {
    super(`personal data of child ${subject} was erased; no personal data can be recorded for it`);
    this.name = 'PersonalDataErasedError';
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
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO erased_data_subjects (subject) VALUES ($1) ON CONFLICT (subject) DO NOTHING', [subject]);
      await client.query('DELETE FROM child_data_keys WHERE subject = $1', [subject]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
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
    if (!kek) throw new Error(`the data key of ${row.subject} is wrapped by key-encryption key ${row.kek_id}, which is not configured`);
    const key = deriveDataKey(row.subject, await kek.unwrap(row.wrapped_key, row.subject));
    this.cache.set(row.subject, { key, until: Date.now() + this.ttl });
    return key;
  }
}

/**
 * Rewraps every data key not wrapped by `to` (KEK rotation). Run with the owner's connection
 * (the application role may not UPDATE keys); each row is rewrapped in place, so the job can be
 * interrupted and run again.
 */
export async function rewrapDataKeys(ownerPool: Pool, from: KeyEncryptionKey[], to: KeyEncryptionKey): Promise<number> {
  const keks = new Map(from.map((k) => [k.id, k]));
  let done = 0;
  for (;;) {
    const res = await ownerPool.query<KeyRow>('SELECT subject, wrapped_key, kek_id FROM child_data_keys WHERE kek_id <> $1 LIMIT 500', [to.id]);
    if (res.rows.length === 0) return done;
    for (const row of res.rows) {
      const kek = keks.get(row.kek_id);
      if (!kek) throw new Error(`no key-encryption key ${row.kek_id} was given to unwrap ${row.subject}`);
      const raw = await kek.unwrap(row.wrapped_key, row.subject);
      await ownerPool.query('UPDATE child_data_keys SET wrapped_key = $2, kek_id = $3 WHERE subject = $1 AND kek_id = $4', [
        row.subject,
        await to.wrap(raw, row.subject),
        to.id,
        row.kek_id,
      ]);
      done++;
    }
  }
}

import { createHash } from 'node:crypto';

/**
 * One stored row of `events` as PostgreSQL prints it: the exact bytes the chain covers.
 * `data` and `metadata` are jsonb's text output (a normal form: PostgreSQL stores jsonb parsed,
 * with keys sorted and duplicate keys removed, and prints it the same way every time);
 * `recordedAt` is UTC with microseconds; the rest are decimal or the stored text.
 */
export interface StoredEventRow {
  position: string;
  transactionId: string;
  streamId: string;
  streamRevision: string;
  eventId: string;
  eventType: string;
  schemaVersion: string;
  recordedAt: string;
  data: string;
  metadata: string;
}

/** The fields of the canonical encoding, in order. */
export const CANONICAL_FIELDS = [
  'position',
  'transactionId',
  'streamId',
  'streamRevision',
  'eventId',
  'eventType',
  'schemaVersion',
  'recordedAt',
  'data',
  'metadata',
] as const satisfies readonly (keyof StoredEventRow)[];

/** Selects a row of `events` as a StoredEventRow (aliases do not shadow columns, so ORDER BY stays on the columns). */
export const STORED_ROW_SQL = `global_position::text AS "position", transaction_id::text AS "transactionId", stream_id AS "streamId",
  stream_revision::text AS "streamRevision", event_id::text AS "eventId", event_type AS "eventType",
  schema_version::text AS "schemaVersion",
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "recordedAt",
  data::text AS "data", metadata::text AS "metadata"`;

const MAGIC = Buffer.from('childledger-event-v1\n', 'utf8');

/**
 * The canonical bytes of a stored event: `childledger-event-v1\n`, then for each field in
 * CANONICAL_FIELDS order its UTF-8 byte length in decimal, `:`, the UTF-8 bytes, `\n`.
 * Length prefixes make the encoding unambiguous whatever the fields contain.
 */
export function canonicalBytes(row: StoredEventRow): Buffer {
  const parts: Buffer[] = [MAGIC];
  for (const field of CANONICAL_FIELDS) {
    const value = row[field];
    if (typeof value !== 'string') throw new Error(`stored event field ${field} must be text`);
    const bytes = Buffer.from(value, 'utf8');
    parts.push(Buffer.from(`${bytes.length}:`, 'ascii'), bytes, Buffer.from('\n', 'ascii'));
  }
  return Buffer.concat(parts);
}

export const GENESIS = Buffer.alloc(32);

/** d_n = SHA-256(canonical bytes of event n). */
export function eventDigest(row: StoredEventRow): Buffer {
  return createHash('sha256').update(canonicalBytes(row)).digest();
}

/** h_n = SHA-256(h_{n-1} || d_n), h_0 = 32 zero bytes. */
export function chainStep(previous: Buffer, digest: Buffer): Buffer {
  return createHash('sha256').update(previous).update(digest).digest();
}

import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

/** What `data.personal` becomes in the stored event. Base64 fields; `subject` is the child id whose key sealed it. */
export interface PersonalDataEnvelope {
  $enc: 'A256GCM';
  v: 1;
  subject: string;
  iv: string;
  ct: string;
  tag: string;
}

export function isEnvelope(value: unknown): value is PersonalDataEnvelope {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  return (
    e.$enc === 'A256GCM' && e.v === 1 && typeof e.subject === 'string' && typeof e.iv === 'string' && typeof e.ct === 'string' && typeof e.tag === 'string'
  );
}

/**
 * A child's data key, with two keys derived from it (HKDF-SHA256): one encrypts, one derives the
 * IVs. Derive once per key and reuse: HKDF is the costly part of a small encryption.
 */
export interface DataKey {
  readonly subject: string;
  readonly encryptionKey: Buffer;
  readonly ivKey: Buffer;
}

export function deriveDataKey(subject: string, raw: Buffer): DataKey {
  if (raw.length !== 32) throw new Error('a data key is 32 bytes');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), info, 32));
  return { subject, encryptionKey: derive('childledger/personal/enc/v1'), ivKey: derive('childledger/personal/iv/v1') };
}

/**
 * What an envelope seals: `data` is the event's `data.personal`, `metadata` the free text of its
 * metadata (`metadata.personal`). Both are under the same child key; the purpose is authenticated
 * and enters the IV, so one envelope cannot stand in for the other and the two never share an IV.
 */
export type EnvelopePurpose = 'data' | 'metadata';

function aad(subject: string, eventId: string, purpose: EnvelopePurpose): Buffer {
  const label = purpose === 'data' ? 'childledger/personal/v1' : 'childledger/personal-metadata/v1';
  return Buffer.from(`${label}\0${subject}\0${eventId.toLowerCase()}`, 'utf8');
}

/**
 * Encrypts `personal` for the event `eventId`. Deterministic: the IV is HMAC-SHA256(ivKey,
 * eventId || 0 || plaintext) truncated to 12 bytes (a synthetic IV), so a retried append of the
 * same event produces the same bytes and the store recognises the retry. An IV repeats only for
 * the same event id and the same plaintext, and then the ciphertext is identical too, so GCM's
 * "never reuse an IV with another plaintext" holds. The subject and the event id are authenticated
 * (AAD): a ciphertext copied into another event or another child's stream fails to decrypt.
 */
export function encryptPersonal(key: DataKey, eventId: string, personal: Record<string, unknown>, purpose: EnvelopePurpose = 'data'): PersonalDataEnvelope {
  const plaintext = Buffer.from(JSON.stringify(personal), 'utf8');
  const mac = createHmac('sha256', key.ivKey);
  if (purpose !== 'data') mac.update(`${purpose}\0`);
  const iv = mac.update(eventId.toLowerCase()).update('\0').update(plaintext).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, iv);
  cipher.setAAD(aad(key.subject, eventId, purpose));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { $enc: 'A256GCM', v: 1, subject: key.subject, iv: iv.toString('base64'), ct: ct.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** Throws if the envelope was altered, belongs to another event or was sealed with another key. */
export function decryptPersonal(key: DataKey, eventId: string, envelope: PersonalDataEnvelope, purpose: EnvelopePurpose = 'data'): Record<string, unknown> {
  if (envelope.subject !== key.subject) throw new Error('the envelope belongs to another subject');
  const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, Buffer.from(envelope.iv, 'base64'));
  decipher.setAAD(aad(key.subject, eventId, purpose));
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  const plaintext = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
  return JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
}

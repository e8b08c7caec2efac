import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Wraps and unwraps per-child data keys. The platform's implementation holds a 256-bit key from
 * the environment (`CHILDLEDGER_KEK`); a KMS or an HSM implements the same two calls (and keeps
 * the key material inside it). `id` is stored beside every wrapped key, so that after a rotation
 * rows still wrapped by the old key can be found and rewrapped.
 */
export interface KeyEncryptionKey {
  readonly id: string;
  /** `context` (the subject) is authenticated with the key: a wrapped key moved to another subject fails to unwrap. */
  wrap(dataKey: Buffer, context: string): Promise<Buffer>;
  unwrap(wrapped: Buffer, context: string): Promise<Buffer>;
}

const WRAP_VERSION = 1;

/** AES-256-GCM key wrapping with a key held in memory: `version(1) || iv(12) || ciphertext(32) || tag(16)`. */
export class LocalKeyEncryptionKey implements KeyEncryptionKey {
  readonly id: string;

  private constructor(private readonly key: Buffer) {
    // A public fingerprint of the key, never the key: lets an operator see which KEK wrapped a row.
    this.id = `local:${createHash('sha256').update('childledger-kek-id').update(key).digest('hex').slice(0, 16)}`;
  }

  static fromBase64(value: string): LocalKeyEncryptionKey {
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32 || key.toString('base64') !== value.replace(/\s+/g, '')) {
      throw new Error('a key-encryption key must be the base64 encoding of exactly 32 bytes');
    }
    return new LocalKeyEncryptionKey(key);
  }

  static generate(): LocalKeyEncryptionKey {
    return new LocalKeyEncryptionKey(randomBytes(32));
  }

  async wrap(dataKey: Buffer, context: string): Promise<Buffer> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`childledger-data-key:${context}`, 'utf8'));
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([Buffer.from([WRAP_VERSION]), iv, ct, cipher.getAuthTag()]);
  }

  async unwrap(wrapped: Buffer, context: string): Promise<Buffer> {
    if (wrapped.length < 1 + 12 + 16 || wrapped[0] !== WRAP_VERSION) throw new Error('unknown wrapped-key format');
    const iv = wrapped.subarray(1, 13);
    const tag = wrapped.subarray(wrapped.length - 16);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(`childledger-data-key:${context}`, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(wrapped.subarray(13, wrapped.length - 16)), decipher.final()]);
  }
}

/** True when `value` is the base64 encoding of exactly 32 bytes (the format of CHILDLEDGER_KEK and CHILDLEDGER_SEAL_KEY). */
export function isBase64Key32(value: string): boolean {
  const b = Buffer.from(value, 'base64');
  return b.length === 32 && b.toString('base64') === value;
}

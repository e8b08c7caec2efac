import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** `ed25519:` and the first 16 hex digits of SHA-256 of the raw 32-byte public key. */
export function sealKeyId(rawPublicKey: Buffer): string {
  return `ed25519:${createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 16)}`;
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Public keys an inspector trusts, by key id. */
export type TrustedSealKeys = Map<string, KeyObject>;

/** From base64 raw public keys (as docs/trust.md and the endpoint publish them). */
export function trustedSealKeys(rawBase64: Iterable<string>): TrustedSealKeys {
  const out: TrustedSealKeys = new Map();
  for (const b64 of rawBase64) {
    const raw = Buffer.from(b64.trim(), 'base64');
    out.set(sealKeyId(raw), publicKeyFromRaw(raw));
  }
  return out;
}

/** The checkpoint signing key (Ed25519), from its 32-byte seed (`CHILDLEDGER_SEAL_KEY`, base64). */
export class SealKey {
  readonly keyId: string;
  readonly publicKeyRaw: Buffer;

  private constructor(private readonly privateKey: KeyObject) {
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    this.publicKeyRaw = Buffer.from(spki.subarray(SPKI_ED25519_PREFIX.length));
    this.keyId = sealKeyId(this.publicKeyRaw);
  }

  static fromBase64Seed(seedBase64: string): SealKey {
    const seed = Buffer.from(seedBase64, 'base64');
    if (seed.length !== 32) throw new Error('a seal key must be the base64 encoding of a 32-byte Ed25519 seed');
    return new SealKey(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
  }

  /** A new random seed, base64 (for the development fallback and for operators). */
  static generateSeed(): string {
    const { privateKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    return Buffer.from(der.subarray(PKCS8_ED25519_PREFIX.length)).toString('base64');
  }

  get publicKeyBase64(): string {
    return this.publicKeyRaw.toString('base64');
  }

  get publicKey(): KeyObject {
    return publicKeyFromRaw(this.publicKeyRaw);
  }

  sign(message: Buffer): Buffer {
    return sign(null, message, this.privateKey);
  }
}

/** A signed checkpoint: the chain of the first `seq` events ends in `head`. */
export interface SealedCheckpoint {
  seq: number;
  /** hex */
  head: string;
  /** The event store checkpoint (`transaction:position`) of event `seq`. */
  position: string;
  /** ISO 8601 UTC, as signed. */
  sealedAt: string;
  keyId: string;
  /** base64 */
  signature: string;
}

/** The signed bytes: `childledger-seal-v1`, key id, seq, head (hex), position, time; one per line. */
export function sealMessage(c: Omit<SealedCheckpoint, 'signature'>): Buffer {
  return Buffer.from(['childledger-seal-v1', c.keyId, String(c.seq), c.head, c.position, c.sealedAt].join('\n'), 'utf8');
}

/** Whether the checkpoint is signed by a trusted key; an unknown key id is a failure too. */
export function verifySealSignature(c: SealedCheckpoint, keys: TrustedSealKeys): { ok: true } | { ok: false; reason: string } {
  const key = keys.get(c.keyId);
  if (!key) return { ok: false, reason: `checkpoint at seq ${c.seq} is signed by key ${c.keyId}, which is not trusted` };
  const ok = verify(null, sealMessage(c), key, Buffer.from(c.signature, 'base64'));
  return ok ? { ok: true } : { ok: false, reason: `checkpoint at seq ${c.seq}: the signature does not verify` };
}

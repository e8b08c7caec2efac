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

/** A public key an inspector trusts, optionally only for checkpoints up to `lastSeq` (a retired key). */
export interface TrustedSealKey {
  key: KeyObject;
  /** The key signed checkpoints through this seq and nothing after (set when it was retired). */
  lastSeq?: number;
}

/** Public keys an inspector trusts, by key id. */
export type TrustedSealKeys = Map<string, TrustedSealKey>;

/** One trusted key as given: raw public key (base64) and the optional bound (`<base64>@<lastSeq>`). */
export interface TrustedSealKeySpec {
  publicKey: string;
  lastSeq?: number;
}

/** A malformed trusted key. The message names the entry by its place and the rule, never the key. */
export class TrustedSealKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustedSealKeyError';
  }
}

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/**
 * `<base64>` or `<base64>@<lastSeq>` (base64 never contains `@`): a raw 32-byte Ed25519 public key,
 * trusted for every checkpoint, or only for checkpoints at seq ≤ lastSeq. Throws `TrustedSealKeyError`
 * with the rule broken (the value is never echoed: a private seed passed by mistake looks the same).
 */
export function parseTrustedSealKey(value: string): TrustedSealKeySpec {
  const parts = value.trim().split('@');
  if (parts.length > 2) throw new TrustedSealKeyError('has more than one "@" (expected <base64> or <base64>@<last seq>)');
  const [first = '', second] = parts;
  const publicKey = first.trim();
  if (!publicKey) throw new TrustedSealKeyError('has no public key before "@" (expected <base64> or <base64>@<last seq>)');
  if (!BASE64_32_BYTES.test(publicKey))
    throw new TrustedSealKeyError('is not the base64 encoding of a 32-byte Ed25519 public key (44 characters ending in "=")');
  if (second === undefined) return { publicKey };
  const bound = second.trim();
  if (!/^[1-9][0-9]*$/.test(bound) || !Number.isSafeInteger(Number(bound))) {
    throw new TrustedSealKeyError('has a last seq after "@" that is not a whole number of at least 1 (the seq of the last checkpoint the key signed)');
  }
  return { publicKey, lastSeq: Number(bound) };
}

/**
 * From base64 raw public keys (as docs/trust.md and the endpoint publish them), each optionally
 * bounded (`<base64>@<lastSeq>`, or `{ publicKey, lastSeq }`). The same key twice with different
 * bounds is an error; errors name the entry by its place (1-based).
 */
export function trustedSealKeys(entries: Iterable<string | TrustedSealKeySpec>): TrustedSealKeys {
  const out: TrustedSealKeys = new Map();
  let n = 0;
  for (const entry of entries) {
    n++;
    let spec: TrustedSealKeySpec;
    try {
      spec =
        typeof entry === 'string'
          ? parseTrustedSealKey(entry)
          : { ...parseTrustedSealKey(entry.publicKey), ...(entry.lastSeq === undefined ? {} : { lastSeq: entry.lastSeq }) };
      if (spec.lastSeq !== undefined && !(Number.isSafeInteger(spec.lastSeq) && spec.lastSeq >= 1)) {
        throw new TrustedSealKeyError('has a last seq that is not a whole number of at least 1 (the seq of the last checkpoint the key signed)');
      }
    } catch (err) {
      if (err instanceof TrustedSealKeyError) throw new TrustedSealKeyError(`entry ${n} ${err.message}`);
      throw err;
    }
    const raw = Buffer.from(spec.publicKey, 'base64');
    const keyId = sealKeyId(raw);
    const seen = out.get(keyId);
    if (seen) {
      if (seen.lastSeq !== spec.lastSeq) {
        throw new TrustedSealKeyError(
          `entry ${n} repeats key ${keyId} with another bound (${describeBound(seen.lastSeq)} and ${describeBound(spec.lastSeq)}): give each key once`,
        );
      }
      continue;
    }
    let key: KeyObject;
    try {
      key = publicKeyFromRaw(raw);
    } catch {
      throw new TrustedSealKeyError(`entry ${n} is not a valid Ed25519 public key`);
    }
    out.set(keyId, spec.lastSeq === undefined ? { key } : { key, lastSeq: spec.lastSeq });
  }
  return out;
}

function describeBound(lastSeq: number | undefined): string {
  return lastSeq === undefined ? 'no bound' : `through seq ${lastSeq}`;
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

/**
 * Whether the checkpoint is signed by a trusted key; an unknown key id is a failure too, and so is
 * a checkpoint after the last seq a retired key is trusted for.
 */
export function verifySealSignature(c: SealedCheckpoint, keys: TrustedSealKeys): { ok: true } | { ok: false; reason: string } {
  const trusted = keys.get(c.keyId);
  if (!trusted) return { ok: false, reason: `checkpoint at seq ${c.seq} is signed by key ${c.keyId}, which is not trusted` };
  if (trusted.lastSeq !== undefined && !(Number.isSafeInteger(c.seq) && c.seq <= trusted.lastSeq)) {
    return { ok: false, reason: `checkpoint at seq ${c.seq} is signed by key ${c.keyId}, which was retired after seq ${trusted.lastSeq}` };
  }
  const ok = verify(null, sealMessage(c), trusted.key, Buffer.from(c.signature, 'base64'));
  return ok ? { ok: true } : { ok: false, reason: `checkpoint at seq ${c.seq}: the signature does not verify` };
}

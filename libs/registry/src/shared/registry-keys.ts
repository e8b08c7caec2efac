import { createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The registry's keyed hashes (HMAC-SHA-256), from one secret, CHILDLEDGER_DEDUPE_KEY (base64 of 32
 * random bytes; `npm start` makes a development one in `.data/dev-keys.json`). Each use has its own
 * subkey (HKDF), so a value hashed for one purpose cannot be matched against another:
 *  - `dedupeKey`: what identifies an imported child across imports (docs/formats.md), stored in
 *    `import_dedupe_keys` instead of deriving the child's id from the row's content;
 *  - `fingerprint`: an idempotent request (method, route, If-Match, canonical body), stored in
 *    `idempotency_keys`.
 * Without the secret, a stored hash does not let anyone test a guess of a name and a birth date.
 */
export class RegistryKeys {
  private readonly dedupe: Buffer;
  private readonly request: Buffer;

  constructor(secret: Buffer) {
    if (secret.length < 32) throw new Error('CHILDLEDGER_DEDUPE_KEY must be at least 32 bytes');
    this.dedupe = subkey(secret, 'childledger import dedupe v1');
    this.request = subkey(secret, 'childledger idempotency fingerprint v1');
  }

  static generate(): RegistryKeys {
    return new RegistryKeys(randomBytes(32));
  }

  /** Hex HMAC of an import identity (`importIdentity`). */
  dedupeKey(identity: string): string {
    return createHmac('sha256', this.dedupe).update(identity, 'utf8').digest('hex');
  }

  /** Hex HMAC of a request's canonical form. */
  fingerprint(request: string): string {
    return createHmac('sha256', this.request).update(request, 'utf8').digest('hex');
  }
}

function subkey(secret: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
}

// Under jest a service may start without the variable: one random key per test process.
let testKeys: RegistryKeys | undefined;

/** CHILDLEDGER_DEDUPE_KEY as the registry's keys; required outside tests. */
export function resolveRegistryKeys(value: string | undefined): RegistryKeys {
  if (value) {
    const secret = Buffer.from(value, 'base64');
    if (secret.length !== 32 || secret.toString('base64') !== value) throw new Error('CHILDLEDGER_DEDUPE_KEY must be the base64 encoding of 32 bytes');
    return new RegistryKeys(secret);
  }
  if (process.env['NODE_ENV'] === 'test' && process.env['JEST_WORKER_ID'] !== undefined) return (testKeys ??= RegistryKeys.generate());
  throw new Error('CHILDLEDGER_DEDUPE_KEY is required (base64 of 32 random bytes; npm start makes a development one)');
}

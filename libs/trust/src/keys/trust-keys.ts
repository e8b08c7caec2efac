import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KeyEncryptionKey, LocalKeyEncryptionKey } from './key-encryption-key';
import { SealKey } from '../seal/seal-key';

// Under jest (NODE_ENV=test) a service may start without CHILDLEDGER_KEK: one random key per
// test process. Nowhere else: a service started on its own without a KEK fails.
let testKek: LocalKeyEncryptionKey | undefined;
let testSealSeed: string | undefined;

function inTests(): boolean {
  return process.env.NODE_ENV === 'test' && process.env.JEST_WORKER_ID !== undefined;
}

export function resolveKeyEncryptionKey(value: string | undefined): KeyEncryptionKey {
  if (value) return LocalKeyEncryptionKey.fromBase64(value);
  if (inTests()) return (testKek ??= LocalKeyEncryptionKey.generate());
  throw new Error('CHILDLEDGER_KEK is required (base64 of 32 random bytes; npm start makes a development one)');
}

export function resolveSealKey(value: string | undefined): SealKey {
  if (value) return SealKey.fromBase64Seed(value);
  if (inTests()) return SealKey.fromBase64Seed((testSealSeed ??= SealKey.generateSeed()));
  throw new Error('CHILDLEDGER_SEAL_KEY is required (base64 Ed25519 seed; npm start makes a development one)');
}

export interface DevelopmentKeys {
  kek: string;
  sealKey: string;
  file: string;
  /** Which of the two were created now. */
  created: ('CHILDLEDGER_KEK' | 'CHILDLEDGER_SEAL_KEY')[];
}

/**
 * For `npm start` only: the development KEK and seal key, made once and kept in
 * `<data dir>/dev-keys.json` (mode 0600). Production sets both variables (docs/trust.md).
 */
export function loadOrCreateDevelopmentKeys(dataDir: string): DevelopmentKeys {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'dev-keys.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<'CHILDLEDGER_KEK' | 'CHILDLEDGER_SEAL_KEY', string>>) : {};
  const created: DevelopmentKeys['created'] = [];
  if (!stored.CHILDLEDGER_KEK) {
    stored.CHILDLEDGER_KEK = randomBytes(32).toString('base64');
    created.push('CHILDLEDGER_KEK');
  }
  if (!stored.CHILDLEDGER_SEAL_KEY) {
    stored.CHILDLEDGER_SEAL_KEY = SealKey.generateSeed();
    created.push('CHILDLEDGER_SEAL_KEY');
  }
  if (created.length > 0) writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { kek: stored.CHILDLEDGER_KEK, sealKey: stored.CHILDLEDGER_SEAL_KEY, file, created };
}

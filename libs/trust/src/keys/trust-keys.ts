import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isBase64Key32, KeyEncryptionKey, LocalKeyEncryptionKey } from './key-encryption-key';
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

/**
 * What is wrong with a CHILDLEDGER_KEK_PREVIOUS value (comma-separated base64 keys), or undefined.
 * Entries are named by their place in the list, never by their value.
 */
export function previousKeyEncryptionKeysProblem(previous: string, current: string | undefined): string | undefined {
  const entries = previous.split(',').map((e) => e.trim());
  for (const [i, entry] of entries.entries()) {
    if (entry === '') return `entry ${i + 1} is empty (a comma-separated list of base64 keys)`;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(entry) || Buffer.from(entry, 'base64').toString('base64') !== entry) return `entry ${i + 1} is not base64`;
    if (!isBase64Key32(entry)) return `entry ${i + 1} must be the base64 encoding of 32 bytes (it decodes to ${Buffer.from(entry, 'base64').length})`;
    const first = entries.indexOf(entry);
    if (first < i) return `entries ${first + 1} and ${i + 1} are the same key (each previous key once)`;
    if (current !== undefined && entry === current.trim()) return `entry ${i + 1} is the current key (CHILDLEDGER_KEK): a previous key must differ from it`;
  }
  return undefined;
}

/**
 * The previous key-encryption keys (CHILDLEDGER_KEK_PREVIOUS), to unwrap data keys not yet
 * rewrapped after a rotation. Throws, naming the rule and never a key, when one is malformed,
 * repeated or the current key.
 */
export function resolvePreviousKeyEncryptionKeys(value: string | undefined, current: KeyEncryptionKey): KeyEncryptionKey[] {
  if (value === undefined || value.trim() === '') return [];
  const problem = previousKeyEncryptionKeysProblem(value, undefined);
  if (problem) throw new Error(`CHILDLEDGER_KEK_PREVIOUS: ${problem}`);
  const keys = value.split(',').map((e) => LocalKeyEncryptionKey.fromBase64(e.trim()));
  const same = keys.findIndex((k) => k.id === current.id);
  if (same >= 0) throw new Error(`CHILDLEDGER_KEK_PREVIOUS: entry ${same + 1} is the current key (CHILDLEDGER_KEK): a previous key must differ from it`);
  return keys;
}

export function resolveSealKey(value: string | undefined): SealKey {
  if (value) return SealKey.fromBase64Seed(value);
  if (inTests()) return SealKey.fromBase64Seed((testSealSeed ??= SealKey.generateSeed()));
  throw new Error('CHILDLEDGER_SEAL_KEY is required (base64 Ed25519 seed; npm start makes a development one)');
}

type DevelopmentKeyName = 'CHILDLEDGER_KEK' | 'CHILDLEDGER_SEAL_KEY' | 'CHILDLEDGER_DEDUPE_KEY';

export interface DevelopmentKeys {
  kek: string;
  sealKey: string;
  /** The registry's keyed-hash secret (import dedupe keys, idempotency fingerprints). */
  dedupeKey: string;
  file: string;
  /** Which of them were created now. */
  created: DevelopmentKeyName[];
}

/**
 * The development keys `npm start` keeps in `<data dir>/dev-keys.json`, as stored (none when it made
 * none): what the CLI falls back to when the variables are unset. Never creates a key.
 */
export function readDevelopmentKeys(dataDir: string): { file: string; keys: Partial<Record<DevelopmentKeyName, string>> } {
  const file = path.join(dataDir, 'dev-keys.json');
  return { file, keys: existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<DevelopmentKeyName, string>>) : {} };
}

/**
 * For `npm start` only: the development KEK, seal key and dedupe key, made once and kept in
 * `<data dir>/dev-keys.json` (mode 0600). Production sets both variables (docs/trust.md).
 */
export function loadOrCreateDevelopmentKeys(dataDir: string): DevelopmentKeys {
  mkdirSync(dataDir, { recursive: true });
  const { file, keys: stored } = readDevelopmentKeys(dataDir);
  const created: DevelopmentKeys['created'] = [];
  if (!stored.CHILDLEDGER_KEK) {
    stored.CHILDLEDGER_KEK = randomBytes(32).toString('base64');
    created.push('CHILDLEDGER_KEK');
  }
  if (!stored.CHILDLEDGER_SEAL_KEY) {
    stored.CHILDLEDGER_SEAL_KEY = SealKey.generateSeed();
    created.push('CHILDLEDGER_SEAL_KEY');
  }
  if (!stored.CHILDLEDGER_DEDUPE_KEY) {
    stored.CHILDLEDGER_DEDUPE_KEY = randomBytes(32).toString('base64');
    created.push('CHILDLEDGER_DEDUPE_KEY');
  }
  if (created.length > 0) writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { kek: stored.CHILDLEDGER_KEK, sealKey: stored.CHILDLEDGER_SEAL_KEY, dedupeKey: stored.CHILDLEDGER_DEDUPE_KEY, file, created };
}

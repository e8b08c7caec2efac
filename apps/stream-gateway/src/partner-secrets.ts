import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateSecret, PartnerAgreement } from '@childledger/partner-streams';

export interface PartnerSecret {
  /** The client secret a partner authenticates with (only its scrypt hash is stored in the database). */
  clientSecret?: string;
  /** The HMAC key of the partner's pseudonymous keys: must never change, or the partner's keys change. */
  keySecret: string;
}

export type PartnerSecrets = Record<string, PartnerSecret>;

const envName = (partnerId: string, what: 'CLIENT_SECRET' | 'KEY_SECRET') => `PARTNER_${partnerId.toUpperCase().replace(/-/g, '_')}_${what}`;

/**
 * Secrets come from outside version control: `PARTNER_<ID>_KEY_SECRET` / `PARTNER_<ID>_CLIENT_SECRET`
 * in the environment, else the JSON file `PARTNER_SECRETS_FILE` (`{ "<id>": { "clientSecret", "keySecret" } }`).
 * With `devFile` (npm start only), secrets missing from both are generated once and kept in that
 * file under .data/, so pseudonymous keys stay stable between runs.
 */
export function loadPartnerSecrets(
  agreements: readonly PartnerAgreement[],
  options: { file?: string; devFile?: string; env?: NodeJS.ProcessEnv },
): { secrets: PartnerSecrets; generated: string[] } {
  const env = options.env ?? process.env;
  const file = options.file ?? options.devFile;
  const fromFile: PartnerSecrets = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PartnerSecrets) : {};
  const secrets: PartnerSecrets = {};
  const generated: string[] = [];
  for (const a of agreements) {
    const keySecret = env[envName(a.id, 'KEY_SECRET')] ?? fromFile[a.id]?.keySecret;
    const clientSecret = env[envName(a.id, 'CLIENT_SECRET')] ?? fromFile[a.id]?.clientSecret;
    if (keySecret) {
      secrets[a.id] = { keySecret, clientSecret };
    } else if (options.devFile && !options.file) {
      secrets[a.id] = { keySecret: generateSecret(), clientSecret: clientSecret ?? generateSecret() };
      fromFile[a.id] = secrets[a.id]!;
      generated.push(a.id);
    }
  }
  // Partners created through the admin API (not in the partners file) take their key secret from the
  // same places: PARTNER_<ID>_KEY_SECRET, or an entry of the secrets file under their id.
  for (const [id, secret] of Object.entries(fromFile))
    if (!secrets[id] && secret?.keySecret) secrets[id] = { keySecret: secret.keySecret, clientSecret: secret.clientSecret };
  for (const [name, value] of Object.entries(env)) {
    const m = /^PARTNER_([A-Z][A-Z0-9_]*)_KEY_SECRET$/.exec(name);
    const id = m?.[1]?.toLowerCase().replace(/_/g, '-');
    if (id && value && !secrets[id]) secrets[id] = { keySecret: value, clientSecret: env[envName(id, 'CLIENT_SECRET')] };
  }
  if (generated.length > 0 && options.devFile && !options.file) {
    mkdirSync(path.dirname(options.devFile), { recursive: true });
    writeFileSync(options.devFile, JSON.stringify(fromFile, null, 2), { mode: 0o600 });
  }
  return { secrets, generated };
}

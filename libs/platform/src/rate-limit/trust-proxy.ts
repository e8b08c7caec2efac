import { isIP } from 'node:net';

/** What Express's `trust proxy` setting takes: true (any), a hop count, or addresses, CIDR ranges and the names proxy-addr knows. */
export type TrustProxySetting = boolean | number | string[];

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function addressProblem(entry: string): string | undefined {
  if (NAMES.has(entry)) return undefined;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (rest.length > 0 || family === 0) return `${JSON.stringify(entry)} is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal`;
  if (prefix === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `${JSON.stringify(entry)} has a prefix length outside 0-${max}`;
  return undefined;
}

/**
 * Reads TRUST_PROXY the way Express reads `trust proxy`: `true`/`false`, a number of proxy hops in
 * front of the service, or a comma-separated list of the proxies' addresses and CIDR ranges (and the
 * names `loopback`, `linklocal`, `uniquelocal`). Throws naming the entry it cannot read.
 */
export function parseTrustProxy(value: string): TrustProxySetting {
  const text = value.trim();
  if (text === 'false' || text === '') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const problem = addressProblem(entry);
    if (problem) throw new Error(problem);
  }
  return entries;
}

/** Why TRUST_PROXY cannot be read, or undefined when it can. */
export function trustProxyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be true, false, a hop count or a comma-separated list of addresses and CIDR ranges';
  try {
    parseTrustProxy(value);
    return undefined;
  } catch (err) {
    return `must be true, false, a hop count or a comma-separated list of addresses and CIDR ranges: ${(err as Error).message}`;
  }
}

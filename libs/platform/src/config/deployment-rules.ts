import { isIP } from 'node:net';

// What may stay a development stand-in, and where. `npm start` on this machine may run the
// development issuer, development keys and http:// to its own services; the moment it listens on a
// network address, or a service runs on its own (node dist/..., a container), it may not.

/** The development default of the sandbox's OAuth2 client secret (identity adapter and sandbox). */
export const SANDBOX_DEVELOPMENT_SECRET = 'sandbox-development-secret';

/** `127.0.0.0/8`, `::1` and `localhost`: nothing but this machine can reach it. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** An identity provider or national-database URL: https://, or http:// to this machine only. */
export function insecureUrlProblem(variable: string, url: string | undefined): string[] {
  if (!url) return [];
  if (url.startsWith('https://')) return [];
  const host = hostOf(url);
  if (url.startsWith('http://') && host !== undefined && isLoopbackHost(host)) return [];
  return [`${variable}: must be an https:// URL (http:// only to a loopback address: 127.0.0.1, ::1, localhost)`];
}

const present = (env: NodeJS.ProcessEnv, name: string): boolean => (env[name] ?? '') !== '';

/**
 * `npm start` listening on `host`: what is still a development stand-in there, as one line, or
 * undefined when nothing is (a loopback host, or an identity provider, keys and partner secrets
 * all configured).
 */
export function developmentStandInsRefusal(host: string, env: NodeJS.ProcessEnv): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  const missing = [
    ...(present(env, 'AUTH_JWKS_URL') && present(env, 'AUTH_ISSUER')
      ? []
      : ['AUTH_JWKS_URL and AUTH_ISSUER (else the development issuer hands out admin tokens to anyone who reaches it)']),
    ...['CHILDLEDGER_KEK', 'CHILDLEDGER_SEAL_KEY', 'CHILDLEDGER_DEDUPE_KEY', 'PARTNER_SECRETS_FILE'].filter((v) => !present(env, v)),
  ];
  if (missing.length === 0) return undefined;
  return `npm start refuses HOST=${host}, which is not a loopback address, while it would use development stand-ins: set ${missing.join(', ')}, or use HOST=127.0.0.1`;
}

/**
 * A service run on its own (runService: `node dist/apps/<name>/main.js`, a container): every
 * variable that would otherwise fall back to a development default or travel over plain http, one
 * line each, naming the variable. `service` is the name the service logs under.
 */
export function standaloneConfigProblems(service: string, env: NodeJS.ProcessEnv): string[] {
  const required = (name: string, why: string) => (present(env, name) ? [] : [`${name}: is required to run the ${service} on its own (${why})`]);
  const notDevelopmentSecret = (name: string) =>
    env[name] === SANDBOX_DEVELOPMENT_SECRET ? [`${name}: must not be the development default (set the secret of your own client)`] : [];
  const problems = [
    ...required('DATABASE_URL', 'there is no embedded PostgreSQL outside npm start'),
    ...insecureUrlProblem('AUTH_JWKS_URL', env['AUTH_JWKS_URL']),
    ...insecureUrlProblem('AUTH_ISSUER', env['AUTH_ISSUER']),
  ];
  switch (service) {
    case 'identity-adapter':
      problems.push(
        ...required('NATIONAL_REGISTRY_URL', 'its default is the sandbox on this machine'),
        // The sandbox holds no real resident: a development cluster or compose may reach it over
        // plain http:// inside its own network when it says so. The real database: https:// only.
        ...(env['NATIONAL_REGISTRY_SANDBOX'] === 'true' ? [] : insecureUrlProblem('NATIONAL_REGISTRY_URL', env['NATIONAL_REGISTRY_URL'])),
        ...required('NATIONAL_REGISTRY_CLIENT_SECRET', 'its default is the sandbox’s development secret'),
        ...notDevelopmentSecret('NATIONAL_REGISTRY_CLIENT_SECRET'),
      );
      break;
    case 'population-registry-sandbox':
      problems.push(...required('SANDBOX_CLIENT_SECRET', 'its default is a development secret'), ...notDevelopmentSecret('SANDBOX_CLIENT_SECRET'));
      break;
    case 'stream-gateway':
      problems.push(...required('PARTNER_TOKEN_SECRET', 'its default is a random key per process, which another replica or a restart does not share'));
      break;
    case 'log-sealer':
      problems.push(...required('CHILDLEDGER_SEAL_KEY', 'npm start makes a development key'));
      break;
    case 'registry-api':
      problems.push(...required('CHILDLEDGER_DEDUPE_KEY', 'npm start makes a development key'));
      break;
  }
  return problems;
}

// `npm start`: the whole platform on this machine. Starts the embedded PostgreSQL (or uses
// DATABASE_URL), applies migrations, starts every service, prints their URLs, and stops it all
// cleanly on Ctrl-C.
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createRemoteJWKSet } from 'jose';
import {
  AuthOptions,
  authOptionsFromConfig,
  ConfigError,
  createDevIssuerApp,
  createLogger,
  DEV_USERS,
  DevIssuer,
  loadConfig,
  PlatformConfig,
  preparePlatformDatabase,
} from '@childledger/platform';
import { createRegistryApi } from '../apps/registry-api/src/registry-api.app';
import { createProjector } from '../apps/projector/src/projector.app';
import { createQueryApi } from '../apps/query-api/src/query-api.app';
import { createStreamGateway } from '../apps/stream-gateway/src/stream-gateway.app';
import { createLogSealer } from '../apps/log-sealer/src/log-sealer.app';
import { createPopulationRegistrySandbox } from '../apps/population-registry-sandbox/src/sandbox.app';
import { createIdentityAdapter } from '../apps/identity-adapter/src/identity-adapter.app';
import { generatedSandboxResidents } from './sandbox-residents';
import { ConsoleConfig } from '../apps/console/server/console.config';
import { createConsoleServer, listenConsole } from '../apps/console/server/console-server';
import { CONSOLE_DIST, ensureConsoleBuild } from '../apps/console/server/build';
import { loadOrCreateDevelopmentKeys } from '@childledger/trust';
import * as path from 'node:path';

interface ServiceDefinition {
  name: string;
  port(config: PlatformConfig): number;
  create(config: PlatformConfig, databaseUrl: string, options: { auth: AuthOptions }): Promise<INestApplication>;
}

/** Every service that exists so far; each new service adds itself here. */
const SERVICES: ServiceDefinition[] = [
  { name: 'registry-api', port: (c) => c.REGISTRY_API_PORT, create: createRegistryApi },
  { name: 'projector', port: (c) => c.PROJECTOR_PORT, create: createProjector },
  { name: 'query-api', port: (c) => c.QUERY_API_PORT, create: createQueryApi },
  { name: 'log-sealer', port: (c) => c.LOG_SEALER_PORT, create: createLogSealer },
  { name: 'population-registry-sandbox', port: (c) => c.SANDBOX_PORT, create: (c, url, o) => createPopulationRegistrySandbox(c, url, { ...o, residents: () => generatedSandboxResidents() }) },
  { name: 'identity-adapter', port: (c) => c.IDENTITY_ADAPTER_PORT, create: createIdentityAdapter },
  { name: 'stream-gateway', port: (c) => c.STREAM_GATEWAY_PORT, create: createStreamGateway },
];

async function main(): Promise<void> {
  let config: PlatformConfig;
  let consoleConfig: ConsoleConfig;
  try {
    config = loadConfig(PlatformConfig);
    consoleConfig = loadConfig(ConsoleConfig);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger('start', config.LOG_LEVEL);
  if (!config.CHILDLEDGER_KEK || !config.CHILDLEDGER_SEAL_KEY || !config.CHILDLEDGER_DEDUPE_KEY) {
    // Development only: keys made once and kept beside the database (docs/trust.md).
    const dev = loadOrCreateDevelopmentKeys(path.dirname(path.resolve(config.CHILDLEDGER_DATA_DIR)));
    config.CHILDLEDGER_KEK ??= dev.kek;
    config.CHILDLEDGER_SEAL_KEY ??= dev.sealKey;
    config.CHILDLEDGER_DEDUPE_KEY ??= dev.dedupeKey;
    log.warn({ file: dev.file, created: dev.created }, 'CHILDLEDGER_KEK / CHILDLEDGER_SEAL_KEY / CHILDLEDGER_DEDUPE_KEY not set: using development keys from the data directory; set them in production');
  }
  log.info({ embedded: !config.DATABASE_URL }, 'preparing database');
  const db = await preparePlatformDatabase(config, { log: (m) => log.debug({ postgres: m }, 'postgres') });
  log.info({ applied: db.applied, embedded: db.server.embedded }, 'database ready');

  // Before any service listens: a missing or stale console build is made first (about a minute).
  await ensureConsoleBuild((message) => log.info(message));

  const running: { name: string; app: Pick<INestApplication, 'close' | 'getUrl'> }[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    for (const { name, app } of running.reverse()) {
      await app.close().catch((err: unknown) => log.error({ err, app: name }, 'close failed'));
      log.info({ app: name }, 'service stopped');
    }
    await db.server.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  const tokens: string[] = [];
  try {
    let auth = authOptionsFromConfig(config);
    if (!auth) {
      // No identity provider configured: run the development issuer and trust it, over HTTP
      // and JWKS exactly as a real OIDC provider would be trusted.
      const issuerUrl = `http://${config.HOST}:${config.DEV_ISSUER_PORT}`;
      const issuer = await DevIssuer.create(issuerUrl);
      // The console signs in here with authorization code + PKCE, as with a real provider.
      const consoleOrigins = [`http://localhost:${consoleConfig.CONSOLE_PORT}`, `http://127.0.0.1:${consoleConfig.CONSOLE_PORT}`];
      const app = await createDevIssuerApp(issuer, {
        audience: config.AUTH_AUDIENCE,
        clients: [
          {
            clientId: consoleConfig.CONSOLE_OIDC_CLIENT_ID,
            redirectUris: consoleOrigins.map((o) => `${o}/auth/callback`),
            postLogoutRedirectUris: consoleOrigins.map((o) => `${o}/`),
          },
        ],
      });
      await app.listen(config.DEV_ISSUER_PORT, config.HOST);
      running.push({ name: 'dev-issuer', app });
      auth = { issuer: issuerUrl, audience: config.AUTH_AUDIENCE, keys: createRemoteJWKSet(new URL(`${issuerUrl}/.well-known/jwks.json`)) };
      for (const [username, user] of Object.entries(DEV_USERS)) {
        tokens.push(`  ${username} (${user.role}, ${user.communes.length ? `commune ${user.communes.join(',')}` : user.provinces.length ? `province ${user.provinces.join(',')}` : 'everywhere'}):`);
        tokens.push(`    ${await issuer.tokenFor(user, { audience: config.AUTH_AUDIENCE })}`);
      }
    }
    for (const s of SERVICES) {
      const app = await s.create(config, db.url, { auth });
      await app.listen(s.port(config), config.HOST);
      running.push({ name: s.name, app });
    }
    const consoleApp = createConsoleServer({
      distDir: CONSOLE_DIST,
      upstreams: { registry: `http://127.0.0.1:${config.REGISTRY_API_PORT}`, query: `http://127.0.0.1:${config.QUERY_API_PORT}` },
      runtime: {
        oidc: {
          issuer: consoleConfig.CONSOLE_OIDC_ISSUER ?? config.AUTH_ISSUER ?? auth.issuer,
          clientId: consoleConfig.CONSOLE_OIDC_CLIENT_ID,
          scope: consoleConfig.CONSOLE_OIDC_SCOPE,
        },
      },
    });
    running.push({ name: 'console', app: await listenConsole(consoleApp, consoleConfig.CONSOLE_PORT, config.HOST) });
  } catch (err) {
    log.error({ err }, 'a service failed to start');
    await stop('startup-failure');
    return;
  }

  const lines = ['', 'ChildLedger is running:', ''];
  for (const { name, app } of running) {
    const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
    lines.push(
      name === 'dev-issuer'
        ? `  ${name.padEnd(16)} ${url}   jwks ${url}/.well-known/jwks.json   tokens POST ${url}/token   sign-in page for the console`
        : name === 'console'
          ? `  ${name.padEnd(16)} ${url}   (web application: sign in as a seeded user; /registry and /query proxy the APIs)`
          : `  ${name.padEnd(16)} ${url}/api/v1   docs ${url}/docs   health ${url}/health/ready`,
    );
  }
  if (tokens.length > 0) {
    lines.push('', 'Development tokens (12 h; more with POST /token {"username": ...} on the dev-issuer):', ...tokens);
    lines.push('', `  e.g. curl -H "Authorization: Bearer $TOKEN" http://localhost:${config.REGISTRY_API_PORT}/api/v1/...`);
  }
  lines.push('', `  database         ${db.server.embedded ? `embedded PostgreSQL, data in ${config.CHILDLEDGER_DATA_DIR}` : 'DATABASE_URL'}`);
  lines.push('', 'Press Ctrl-C to stop.', '');
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

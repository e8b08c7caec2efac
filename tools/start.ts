// `npm start`: the whole platform on this machine. Starts the embedded PostgreSQL (or uses
// DATABASE_URL), applies migrations, runs the development issuer when no identity provider is
// configured, starts every service in its own process (tools/start-service.ts, as production runs
// one container per service), prints their URLs, and stops it all cleanly on Ctrl-C: every service
// first, then the console and the issuer, then the database. A service that dies stops the platform
// with a non-zero exit code, saying which one.
import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import {
  authOptionsFromConfig,
  ConfigError,
  createDevIssuerApp,
  developmentStandInsRefusal,
  createLogger,
  DEV_USERS,
  DevIssuer,
  loadConfig,
  PlatformConfig,
} from '@childledger/platform';
import { preparePlatformDatabase } from '@childledger/migrations';
import { ConsoleConfig } from '../apps/console/server/console.config';
import { createConsoleServer, listenConsole } from '../apps/console/server/console-server';
import { CONSOLE_DIST, ensureConsoleBuild } from '../apps/console/server/build';
import { loadOrCreateDevelopmentKeys } from '@childledger/trust';
import { START_SERVICES } from './start-services';
import type { StartServiceMessage } from './start-service';
import type { StartDatabaseMessage } from './start-database';

const root = path.resolve(__dirname, '..');
/** How long a service may take to close after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 20_000;

interface ServiceProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** Copies a child's output line by line, so that two processes' JSON lines never interleave. */
function forwardLines(from: NodeJS.ReadableStream, to: Writable): void {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${line}\n`));
}

interface StartDatabase {
  url: string;
  applied: string[];
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The platform's database, migrated: DATABASE_URL's, or the embedded PostgreSQL in a process of its
 * own and its own process group (tools/start-database.ts), out of reach of the terminal's Ctrl-C, so
 * that it stops only when every service has closed.
 */
async function prepareDatabase(config: PlatformConfig, log: ReturnType<typeof createLogger>): Promise<StartDatabase> {
  if (config.DATABASE_URL) {
    const db = await preparePlatformDatabase(config);
    return { url: db.url, applied: db.applied, embedded: false, stop: () => db.server.stop() };
  }
  const child = fork(path.join(root, 'tools/start-database.ts'), [], {
    cwd: root,
    detached: true,
    execArgv: ['-r', path.join(root, 'tools/register.js')],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  forwardLines(child.stdout!, process.stdout);
  forwardLines(child.stderr!, process.stderr);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; applied: string[] }>((resolve, reject) => {
    child.on('message', (m: StartDatabaseMessage) => ('ready' in m ? resolve(m.ready) : reject(new Error(m.failed))));
    child.once('exit', (code) => reject(new Error(`the embedded PostgreSQL's process exited (code ${code})`)));
  });
  log.debug({ pid: child.pid }, 'embedded PostgreSQL process');
  return {
    ...ready,
    embedded: true,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

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
  // On a network address, the development issuer (admin tokens for anyone who asks) and development
  // keys would serve whoever reaches the machine: only with a real identity provider and keys.
  const refusal = developmentStandInsRefusal(config.HOST, process.env);
  if (refusal) {
    process.stderr.write(`${refusal}\n`);
    process.exit(2);
  }
  const log = createLogger('start', config.LOG_LEVEL);
  if (!config.CHILDLEDGER_KEK || !config.CHILDLEDGER_SEAL_KEY || !config.CHILDLEDGER_DEDUPE_KEY) {
    // Development only: keys made once and kept beside the database (docs/trust.md).
    const dev = loadOrCreateDevelopmentKeys(path.dirname(path.resolve(config.CHILDLEDGER_DATA_DIR)));
    config.CHILDLEDGER_KEK ??= dev.kek;
    config.CHILDLEDGER_SEAL_KEY ??= dev.sealKey;
    config.CHILDLEDGER_DEDUPE_KEY ??= dev.dedupeKey;
    log.warn(
      { file: dev.file, created: dev.created },
      'CHILDLEDGER_KEK / CHILDLEDGER_SEAL_KEY / CHILDLEDGER_DEDUPE_KEY not set: using development keys from the data directory; set them in production',
    );
  }
  log.info({ embedded: !config.DATABASE_URL }, 'preparing database');
  const db = await prepareDatabase(config, log);
  log.info({ applied: db.applied, embedded: db.embedded }, 'database ready');

  // Before any service listens: a missing or stale console build is made first (about a minute).
  await ensureConsoleBuild((message) => log.info(message));

  const services: ServiceProcess[] = [];
  // In this process: the development issuer and the console's server (closed after the services).
  const local: { name: string; close(): Promise<void> }[] = [];
  let stopping = false;
  const stop = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: reason }, 'stopping');
    await Promise.all(
      services.map(async ({ name, child, exited }) => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
        log.info({ app: name }, 'service stopped');
      }),
    );
    for (const { name, close } of local.reverse()) {
      await close().catch((err: unknown) => log.error({ err, app: name }, 'close failed'));
      log.info({ app: name }, 'service stopped');
    }
    await db.stop();
    log.info('stopped');
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void stop('SIGINT', 0));
  process.once('SIGTERM', () => void stop('SIGTERM', 0));

  const urls = new Map<string, string>();
  const tokens: string[] = [];
  try {
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: db.url,
      CHILDLEDGER_KEK: config.CHILDLEDGER_KEK,
      CHILDLEDGER_SEAL_KEY: config.CHILDLEDGER_SEAL_KEY,
      CHILDLEDGER_DEDUPE_KEY: config.CHILDLEDGER_DEDUPE_KEY,
    };
    let issuerUrl = authOptionsFromConfig(config)?.issuer;
    if (!issuerUrl) {
      // No identity provider configured: run the development issuer here, and the services trust it
      // over HTTP and JWKS exactly as they would trust a real OIDC provider.
      issuerUrl = `http://${config.HOST}:${config.DEV_ISSUER_PORT}`;
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
      local.push({ name: 'dev-issuer', close: () => app.close() });
      urls.set('dev-issuer', await app.getUrl());
      childEnv['AUTH_ISSUER'] = issuerUrl;
      childEnv['AUTH_JWKS_URL'] = `${issuerUrl}/.well-known/jwks.json`;
      for (const [username, user] of Object.entries(DEV_USERS)) {
        tokens.push(
          `  ${username} (${user.role}, ${user.communes.length ? `commune ${user.communes.join(',')}` : user.provinces.length ? `province ${user.provinces.join(',')}` : 'everywhere'}):`,
        );
        tokens.push(`    ${await issuer.tokenFor(user, { audience: config.AUTH_AUDIENCE })}`);
      }
    }

    await Promise.all(
      START_SERVICES.map(({ name }) => {
        const child = fork(path.join(root, 'tools/start-service.ts'), [name], {
          cwd: root,
          env: childEnv,
          execArgv: ['-r', path.join(root, 'tools/register.js')],
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        forwardLines(child.stdout!, process.stdout);
        forwardLines(child.stderr!, process.stderr);
        let ready = false;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        services.push({ name, child, exited });
        child.once('exit', (code, signal) => {
          if (stopping || !ready) return;
          // A service that exits by itself: after a Ctrl-C (which reaches every process of the group)
          // this process is stopping a moment later; otherwise it crashed, and the platform stops.
          setTimeout(() => {
            if (stopping) return;
            process.stderr.write(`${name} exited unexpectedly (${signal ?? `code ${code}`}): stopping every service\n`);
            log.error({ app: name, code, signal }, 'a service exited unexpectedly');
            void stop('service-exited', 1);
          }, 500);
        });
        return new Promise<void>((resolve, reject) => {
          child.on('message', (m: StartServiceMessage) => {
            if ('ready' in m) {
              ready = true;
              urls.set(name, m.ready);
              resolve();
            } else reject(new Error(`${name}: ${m.failed}`));
          });
          child.once('exit', (code, signal) => reject(new Error(`${name} exited before it was ready (${signal ?? `code ${code}`})`)));
        });
      }),
    );

    const consoleApp = createConsoleServer({
      distDir: CONSOLE_DIST,
      upstreams: {
        registry: `http://127.0.0.1:${config.REGISTRY_API_PORT}`,
        query: `http://127.0.0.1:${config.QUERY_API_PORT}`,
        gateway: `http://127.0.0.1:${config.STREAM_GATEWAY_PORT}`,
      },
      runtime: {
        oidc: {
          issuer: consoleConfig.CONSOLE_OIDC_ISSUER ?? config.AUTH_ISSUER ?? issuerUrl,
          clientId: consoleConfig.CONSOLE_OIDC_CLIENT_ID,
          scope: consoleConfig.CONSOLE_OIDC_SCOPE,
        },
      },
    });
    const consoleServer = await listenConsole(consoleApp, consoleConfig.CONSOLE_PORT, config.HOST);
    local.push({ name: 'console', close: () => consoleServer.close() });
    urls.set('console', await consoleServer.getUrl());
  } catch (err) {
    log.error({ err }, 'a service failed to start');
    await stop('startup-failure', 1);
    return;
  }

  const lines = ['', 'ChildLedger is running:', ''];
  for (const name of ['dev-issuer', ...START_SERVICES.map((s) => s.name), 'console']) {
    const given = urls.get(name);
    if (!given) continue;
    const url = given.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
    lines.push(
      name === 'dev-issuer'
        ? `  ${name.padEnd(16)} ${url}   jwks ${url}/.well-known/jwks.json   tokens POST ${url}/token   sign-in page for the console`
        : name === 'console'
          ? `  ${name.padEnd(16)} ${url}   (web application: sign in as a seeded user; /registry, /query and /gateway proxy the APIs)`
          : `  ${name.padEnd(16)} ${url}/api/v1   docs ${url}/docs   health ${url}/health/ready`,
    );
  }
  if (tokens.length > 0) {
    lines.push('', 'Development tokens (12 h; more with POST /token {"username": ...} on the dev-issuer):', ...tokens);
    lines.push('', `  e.g. curl -H "Authorization: Bearer $TOKEN" http://localhost:${config.REGISTRY_API_PORT}/api/v1/...`);
  }
  lines.push('', `  database         ${db.embedded ? `embedded PostgreSQL, data in ${config.CHILDLEDGER_DATA_DIR}` : 'DATABASE_URL'}`);
  lines.push('', 'Press Ctrl-C to stop.', '');
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

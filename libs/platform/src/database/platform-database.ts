import { DATABASE_MIGRATIONS, DatabaseServer, ensureDatabase, MigrationClass, runMigrations, startDatabaseServer } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS } from '@childledger/event-store';
// The registry's tables (idempotency keys, import ledger): their own project (scope:shared,
// type:data-access), so that the platform does not depend on the registry, which depends on it.
import { REGISTRY_MIGRATIONS } from '@childledger/registry/migrations';
import { IDENTITY_MIGRATIONS } from '@childledger/identity/migrations';
import { TRUST_MIGRATIONS } from '@childledger/trust';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import type { PlatformConfig } from '../config/platform.config';
import { RATE_LIMIT_MIGRATIONS } from '../rate-limit/1795480000000-create-rate-limit-buckets';

/** Every migration of the platform, in order. Libraries with tables add theirs here. */
export const ALL_MIGRATIONS: MigrationClass[] = [
  ...EVENT_STORE_MIGRATIONS,
  ...REGISTRY_MIGRATIONS,
  ...IDENTITY_MIGRATIONS,
  ...TRUST_MIGRATIONS,
  ...READ_MODEL_MIGRATIONS,
  ...PARTNER_STREAMS_MIGRATIONS,
  ...RATE_LIMIT_MIGRATIONS,
  ...DATABASE_MIGRATIONS,
];

export interface PlatformDatabase {
  server: DatabaseServer;
  /** Connection string of the platform's database (the owner role; services switch to the application role). */
  url: string;
  applied: string[];
}

/**
 * The database the platform runs on: `DATABASE_URL` when set, else an embedded PostgreSQL
 * whose data directory survives restarts; migrations applied.
 */
export async function preparePlatformDatabase(
  config: PlatformConfig,
  options: { migrations?: MigrationClass[]; log?: (m: string) => void } = {},
): Promise<PlatformDatabase> {
  const server = await startDatabaseServer({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.CHILDLEDGER_DATA_DIR,
    port: config.EMBEDDED_POSTGRES_PORT,
    log: options.log,
  });
  try {
    const url = config.DATABASE_URL ?? (await ensureDatabase(server.adminUrl, config.DATABASE_NAME));
    const applied = await runMigrations(url, options.migrations ?? ALL_MIGRATIONS);
    return { server, url, applied };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

// The migration step's list of every context's migrations: the composition root of the schema,
// used by `npm run migrate`, migrate.js (the Kubernetes Job, compose's one-shot service), `npm start`
// and the tests that need the whole schema. It lives here, not in the shared kernel, so that
// libs/platform depends on no bounded context; each context's migration project keeps its scope.
// Services never migrate: each checks at boot that the migrations of its own tables were applied
// (`StandaloneService.migrations`, libs/platform/src/run-service.ts).
import { DATABASE_MIGRATIONS, DatabaseServer, ensureDatabase, MigrationClass, runMigrations, startDatabaseServer } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS } from '@childledger/event-store';
import { IDENTITY_MIGRATIONS } from '@childledger/identity/migrations';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { type PlatformConfig, RATE_LIMIT_MIGRATIONS } from '@childledger/platform';
import { TRUST_MIGRATIONS } from '@childledger/trust';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { REGISTRY_MIGRATIONS } from '@childledger/registry/migrations';

/** Every migration of the platform, in the order they have always been applied (the platform's own tables are PLATFORM_MIGRATIONS). */
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

import type { INestApplication } from '@nestjs/common';
import { createPool, loginRoleProblem, MigrationClass } from '@childledger/database';
import type { AuthOptions } from './auth/auth.types';
import { authOptionsFromConfig } from './auth/auth-options';
import { standaloneConfigProblems } from './config/deployment-rules';
import { loadConfig } from './config/load-config';
import { PlatformConfig } from './config/platform.config';
import { SERVICE_NAME } from './tokens';
import { stopTracing } from './tracing/tracing';

export interface StandaloneService {
  /** Builds the service's Nest application (the same factory `npm start` uses). */
  create(config: PlatformConfig, databaseUrl: string, options: { auth: AuthOptions }): Promise<INestApplication>;
  port(config: PlatformConfig): number;
  /**
   * The migrations of the tables this service uses (PLATFORM_MIGRATIONS plus its context's): it
   * refuses to start until the migration step has applied them. Services never migrate.
   */
  migrations: MigrationClass[];
  /** What this service needs beyond the platform's configuration when it runs on its own: messages for what is missing. */
  missing?(config: PlatformConfig): string[];
}

/** Migrations not yet applied to the database (none when the schema is current). */
async function pendingMigrations(pool: ReturnType<typeof createPool>, migrations: MigrationClass[]): Promise<string[]> {
  const applied = await pool.query<{ name: string }>('SELECT name FROM schema_migrations').then(
    (r) => new Set(r.rows.map((row) => row.name)),
    () => new Set<string>(),
  );
  return migrations.map((M) => new M().name ?? M.name).filter((name) => !applied.has(name));
}

/**
 * Whether the database is fit for a service on its own: the login role owns nothing (and cannot
 * SET ROLE into the owner), and every migration was applied by the migration step before.
 */
async function databaseProblems(url: string, migrations: MigrationClass[]): Promise<string[]> {
  const pool = createPool(url, { max: 1, application_name: 'startup-check' });
  try {
    const role = await loginRoleProblem(pool);
    const pending = await pendingMigrations(pool, migrations);
    return [
      ...(role ? [role] : []),
      ...(pending.length
        ? [
            `DATABASE_URL: ${pending.length} migration(s) not applied (first ${pending[0]}): run the migration step first (npm run migrate, migrate.js, the childledger-migrate Job); services never migrate`,
          ]
        : []),
    ];
  } finally {
    await pool.end();
  }
}

/**
 * A service's `main.ts` in production: one process, configuration from the environment. No
 * development stand-in is made here (an identity provider over https, the keys and secrets are
 * required: `standaloneConfigProblems`), the login role must own nothing, and the schema must be
 * current: migrations are their own step. Then listen; SIGINT/SIGTERM close the app.
 */
export function runService(service: StandaloneService): void {
  const run = async () => {
    const config = loadConfig(PlatformConfig);
    const auth = authOptionsFromConfig(config);
    const fail = (problems: string[]) => new Error(problems.join('\n'));
    const problems = [
      ...(auth ? [] : ['AUTH_JWKS_URL and AUTH_ISSUER are required to run a service on its own (npm start provides a development issuer)']),
      ...(config.CHILDLEDGER_KEK ? [] : ['CHILDLEDGER_KEK is required to run a service on its own (npm start makes a development key)']),
      ...(service.missing?.(config) ?? []),
      // The rules every service shares; the service's own follow once its name is known.
      ...standaloneConfigProblems('service', process.env),
    ];
    if (!auth || !config.DATABASE_URL || problems.length > 0) throw fail(problems);
    const database = await databaseProblems(config.DATABASE_URL, service.migrations);
    if (database.length > 0) throw fail(database);
    const app = await service.create(config, config.DATABASE_URL, { auth });
    const own = standaloneConfigProblems(app.get<string>(SERVICE_NAME), process.env).filter((p) => !problems.includes(p));
    if (own.length > 0) {
      await app.close();
      throw fail(own);
    }
    await app.listen(service.port(config), config.HOST);
    const stop = async () => {
      await app.close();
      // Spans still batched are exported before the process ends (no-op when tracing is off).
      await stopTracing().catch(() => undefined);
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  };
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

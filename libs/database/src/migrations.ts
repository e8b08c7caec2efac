import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from './pool';

export type MigrationClass = new () => MigrationInterface;

const MIGRATION_LOCK = 0x6368_6c64; // 'chld': one migrator at a time per database

/**
 * Applies every pending migration (TypeORM migration classes, each in its own transaction)
 * while holding an advisory lock, so services starting together do not race.
 * Returns the names of the migrations applied.
 */
export async function runMigrations(url: string, migrations: MigrationClass[]): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const ds = new DataSource({
      type: 'postgres',
      url,
      migrations,
      migrationsTableName: 'schema_migrations',
      migrationsTransactionMode: 'each',
      logging: false,
    });
    await ds.initialize();
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

/** Reverts the last `steps` migrations (for tests of `down`, and operators rolling back). */
export async function revertMigrations(url: string, migrations: MigrationClass[], steps = 1): Promise<void> {
  const ds = new DataSource({ type: 'postgres', url, migrations, migrationsTableName: 'schema_migrations', logging: false });
  await ds.initialize();
  try {
    for (let i = 0; i < steps; i++) await ds.undoLastMigration({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

/**
 * Creates the application role if it is missing (roles are server-wide, so parallel test
 * databases may race to create it) and lets the migrating user switch to it.
 */
export async function ensureApplicationRole(q: QueryRunner, role = APPLICATION_ROLE): Promise<void> {
  await q.query(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
        BEGIN
          CREATE ROLE ${role} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
      END IF;
      IF NOT pg_has_role(current_user, '${role}', 'MEMBER') THEN
        BEGIN
          EXECUTE format('GRANT ${role} TO %I', current_user);
        EXCEPTION WHEN unique_violation THEN NULL;
        END;
      END IF;
    END $$;`);
  await q.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
}

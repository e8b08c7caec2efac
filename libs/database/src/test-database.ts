import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from './database-admin';
import { MigrationClass, runMigrations } from './migrations';

/** Set by the jest global setup: the one server of this test run. */
export const TEST_ADMIN_URL_VARIABLE = 'CHILDLEDGER_TEST_ADMIN_URL';

export interface TestDatabase {
  /** Connection string of the migrating (owner) user on the fresh database. */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh database on the test run's server, with the given migrations applied. */
export async function createTestDatabase(migrations: MigrationClass[] = []): Promise<TestDatabase> {
  const adminUrl = process.env[TEST_ADMIN_URL_VARIABLE];
  if (!adminUrl) {
    throw new Error(`${TEST_ADMIN_URL_VARIABLE} is not set: run tests through jest (its global setup starts the database server)`);
  }
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = await ensureDatabase(adminUrl, name);
  if (migrations.length > 0) await runMigrations(url, migrations);
  return { url, name, drop: () => dropDatabase(adminUrl, name) };
}

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase } from './database-admin';
import { MigrationClass, runMigrations } from './migrations';
import { runtimeRoleUrl, setRuntimeRolePassword } from './runtime-role';

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

/** The password tests give the runtime role (roles are server-wide: every test sets the same one). */
export const TEST_RUNTIME_ROLE_PASSWORD = 'childledger-runtime-test';

/**
 * A URL of the test database that logs in as the runtime role (childledger_runtime, made by the
 * platform's migrations, which must have been applied), as a service on its own does.
 */
export async function testRuntimeRoleUrl(db: TestDatabase): Promise<string> {
  const owner = new Client({ connectionString: db.url });
  await owner.connect();
  try {
    await setRuntimeRolePassword(owner, TEST_RUNTIME_ROLE_PASSWORD);
  } finally {
    await owner.end();
  }
  return runtimeRoleUrl(db.url, TEST_RUNTIME_ROLE_PASSWORD);
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from './pool';

/**
 * The role the services log in as outside `npm start`. It owns nothing and is a member of the
 * application role only, so `RESET ROLE` (or `SET ROLE` to anything else) never reaches a role that
 * owns the schema: a service cannot DROP, ALTER or TRUNCATE a table, whatever SQL it is tricked into.
 * The owner (the migrating role) is never a member of it either.
 */
export const RUNTIME_ROLE = 'childledger_runtime';

/**
 * Creates the runtime role if it is missing (NOLOGIN NOINHERIT: its login and password are the
 * operator's: CloudNativePG's managed role, `npm run migrate` with CHILDLEDGER_RUNTIME_PASSWORD, or
 * `ALTER ROLE childledger_runtime LOGIN PASSWORD ...`) and lets it `SET ROLE` to the application
 * role, which is where every grant of the migrations goes. Roles are server-wide: parallel test
 * databases may race here, hence the exception handlers.
 */
export class CreateRuntimeRole1796000000000 implements MigrationInterface {
  name = 'CreateRuntimeRole1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${RUNTIME_ROLE}') THEN
          BEGIN
            CREATE ROLE ${RUNTIME_ROLE} NOLOGIN NOINHERIT;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
          END;
        END IF;
        IF NOT pg_has_role('${RUNTIME_ROLE}', '${APPLICATION_ROLE}', 'MEMBER') THEN
          BEGIN
            GRANT ${APPLICATION_ROLE} TO ${RUNTIME_ROLE};
          EXCEPTION WHEN unique_violation THEN NULL;
          END;
        END IF;
      END $$;`);
    await q.query(`GRANT CONNECT ON DATABASE "${await currentDatabase(q)}" TO ${RUNTIME_ROLE}`);
    // A service on its own checks that the schema is current before it serves (runService).
    await q.query(`GRANT SELECT ON schema_migrations TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The role is server-wide (other databases may use it): only this database's grants go.
    await q.query(`REVOKE SELECT ON schema_migrations FROM ${APPLICATION_ROLE}`);
    await q.query(`REVOKE CONNECT ON DATABASE "${await currentDatabase(q)}" FROM ${RUNTIME_ROLE}`);
  }
}

async function currentDatabase(q: QueryRunner): Promise<string> {
  const rows = (await q.query('SELECT current_database() AS name')) as { name: string }[];
  return rows[0]!.name;
}

/** The database's own migrations (the runtime role), applied after every context's. */
export const DATABASE_MIGRATIONS = [CreateRuntimeRole1796000000000];

/**
 * Lets the runtime role log in with this password (`npm run migrate` when
 * CHILDLEDGER_RUNTIME_PASSWORD is set; tests). Needs a role that may alter it (the one that created
 * it, with CREATEROLE, or a superuser).
 */
export async function setRuntimeRolePassword(q: { query(sql: string): Promise<unknown> }, password: string): Promise<void> {
  await q.query(`ALTER ROLE ${RUNTIME_ROLE} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
}

/** `url` with the runtime role and its password as the login (the owner's URL, another user). */
export function runtimeRoleUrl(url: string, password: string): string {
  const u = new URL(url);
  u.username = RUNTIME_ROLE;
  u.password = encodeURIComponent(password);
  return u.toString();
}

/**
 * Why the login role of a service's connection is unsafe, or undefined: a superuser, a role that
 * can create roles or databases, or one that owns (or can SET ROLE to the owner of) the database,
 * a schema or a relation in it.
 */
export async function loginRoleProblem(q: { query(sql: string): Promise<{ rows: unknown[] }> }): Promise<string | undefined> {
  const { rows } = await q.query(`
    SELECT session_user AS login, r.rolsuper AS superuser, r.rolcreaterole OR r.rolcreatedb AS creates,
      pg_has_role(session_user, d.datdba, 'MEMBER') AS owns_database,
      EXISTS (
        SELECT 1 FROM pg_namespace n
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
          AND pg_has_role(session_user, n.nspowner, 'MEMBER')
      ) OR EXISTS (
        SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
          AND pg_has_role(session_user, c.relowner, 'MEMBER')
      ) AS owns_objects
    FROM pg_roles r, pg_database d
    WHERE r.rolname = session_user AND d.datname = current_database()`);
  const row = rows[0] as { superuser: boolean; creates: boolean; owns_database: boolean; owns_objects: boolean } | undefined;
  if (!row) return 'the login role is not in pg_roles';
  const why = [
    row.superuser && 'is a superuser',
    row.creates && 'may create roles or databases',
    row.owns_database && 'owns the database',
    row.owns_objects && 'owns (or may SET ROLE to the owner of) a schema or table',
  ].filter(Boolean);
  return why.length
    ? `DATABASE_URL: logs in as a role that ${why.join(', ')}; run the services as ${RUNTIME_ROLE}, which owns nothing (npm run migrate creates it, docs/runbooks/deploy.md)`
    : undefined;
}

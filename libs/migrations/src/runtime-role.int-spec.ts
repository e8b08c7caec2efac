import type { Pool } from 'pg';
import { APPLICATION_ROLE, createPool, createTestDatabase, loginRoleProblem, RUNTIME_ROLE, TestDatabase, testRuntimeRoleUrl } from '@childledger/database';
import { ALL_MIGRATIONS } from './index';

/** What a service on its own logs in as: childledger_runtime, which owns nothing and cannot become the owner. */
describe(RUNTIME_ROLE, () => {
  let db: TestDatabase;
  let owner: Pool;
  let runtime: Pool;
  let ownerName: string;

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    owner = createPool(db.url, { role: null, max: 1 });
    runtime = createPool(await testRuntimeRoleUrl(db), { max: 2 });
    ownerName = (await owner.query(`SELECT pg_get_userbyid(relowner) AS o FROM pg_class WHERE relname = 'events'`)).rows[0].o as string;
  });
  afterAll(async () => {
    await runtime.end();
    await owner.end();
    await db.drop();
  });

  it('logs in as the runtime role and works as the application role', async () => {
    const { rows } = await runtime.query('SELECT session_user AS login, current_user AS acting');
    expect(rows[0]).toEqual({ login: RUNTIME_ROLE, acting: APPLICATION_ROLE });
    await expect(runtime.query('SELECT count(*) FROM events')).resolves.toBeDefined();
    await expect(runtime.query('SELECT count(*) FROM schema_migrations')).resolves.toBeDefined();
  });

  it('owns nothing in the database', async () => {
    const { rows } = await owner.query(`SELECT count(*)::int AS n FROM pg_class c WHERE c.relowner IN (SELECT oid FROM pg_roles WHERE rolname IN ($1, $2))`, [
      RUNTIME_ROLE,
      APPLICATION_ROLE,
    ]);
    expect(rows[0].n).toBe(0);
    expect(await loginRoleProblem(runtime)).toBeUndefined();
  });

  it.each([
    ['DROP TABLE events', /must be owner/],
    ['ALTER TABLE events ADD COLUMN x int', /must be owner/],
    ['ALTER TABLE events DISABLE TRIGGER ALL', /must be owner/],
    ['TRUNCATE events', /permission denied/],
    ['DELETE FROM events', /permission denied/],
    ['CREATE TABLE planted (id int)', /permission denied/],
  ])('cannot %s', async (sql, refusal) => {
    await expect(runtime.query(sql)).rejects.toThrow(refusal);
  });

  it('cannot RESET ROLE or SET ROLE into the owner', async () => {
    const client = await runtime.connect();
    try {
      // RESET ROLE goes back to the connection's default, the application role; SET ROLE NONE to the login role.
      await client.query('RESET ROLE');
      expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe(APPLICATION_ROLE);
      await expect(client.query('DROP TABLE events')).rejects.toThrow(/must be owner/);
      await client.query('SET ROLE NONE');
      expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe(RUNTIME_ROLE);
      await expect(client.query('DROP TABLE events')).rejects.toThrow(/must be owner/);
      await expect(client.query('SELECT count(*) FROM events')).rejects.toThrow(/permission denied/); // NOINHERIT: nothing without the application role
      await expect(client.query(`SET ROLE "${ownerName}"`)).rejects.toThrow(/permission denied to set role/);
      await expect(client.query(`SET SESSION AUTHORIZATION "${ownerName}"`)).rejects.toThrow(/permission denied/);
    } finally {
      client.release(true);
    }
  });

  it('tells the owner apart: the migrating role is refused as a service login', async () => {
    expect(await loginRoleProblem(owner)).toMatch(/^DATABASE_URL: logs in as a role that is a superuser/);
  });
});

import type { Pool } from 'pg';
import { createPool } from './pool';
import { createTestDatabase, TestDatabase } from './test-database';
import { inTransaction, withTransaction } from './transaction';

describe('withTransaction / inTransaction (the one transaction helper)', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { role: null, max: 3 });
    await pool.query('CREATE TABLE t (n int)');
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  beforeEach(() => pool.query('TRUNCATE t'));

  const count = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM t')).rows[0]!.n);

  it('commits what fn wrote when it resolves, and returns its value', async () => {
    expect(await withTransaction(pool, async (c) => (await c.query('INSERT INTO t VALUES (1), (2)')).rowCount)).toBe(2);
    expect(await count()).toBe(2);
  });

  it('rolls back everything fn wrote when it throws, and rethrows', async () => {
    await expect(
      withTransaction(pool, async (c) => {
        await c.query('INSERT INTO t VALUES (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await count()).toBe(0);
    // The connection went back to the pool usable (not stuck in an aborted transaction).
    expect(await withTransaction(pool, async (c) => (await c.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]!.ok)).toBe(1);
  });

  it('read only refuses a write; the isolation level is the one asked for', async () => {
    await expect(withTransaction(pool, (c) => c.query('INSERT INTO t VALUES (1)'), { readOnly: true })).rejects.toThrow(/read-only transaction/);
    const level = await withTransaction(
      pool,
      async (c) => (await c.query<{ transaction_isolation: string }>('SHOW transaction_isolation')).rows[0]!.transaction_isolation,
      {
        isolation: 'repeatable read',
        readOnly: true,
      },
    );
    expect(level).toBe('repeatable read');
  });

  it('inTransaction runs several transactions on one held connection, each committed or rolled back alone', async () => {
    const client = await pool.connect();
    try {
      await inTransaction(client, (c) => c.query('INSERT INTO t VALUES (1)'));
      await expect(
        inTransaction(client, async (c) => {
          await c.query('INSERT INTO t VALUES (2)');
          throw new Error('second fails');
        }),
      ).rejects.toThrow('second fails');
      await inTransaction(client, (c) => c.query('INSERT INTO t VALUES (3)'));
    } finally {
      client.release();
    }
    expect((await pool.query<{ n: number }>('SELECT n FROM t ORDER BY n')).rows.map((r) => r.n)).toEqual([1, 3]);
  });
});

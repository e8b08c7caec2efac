import type { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { PLATFORM_MIGRATIONS } from '../database/platform-database';
import { PgThrottlerStorage } from './pg-throttler-storage';

/** The rate limits' PostgreSQL storage, as the application role (what the services run as). */
describe('PgThrottlerStorage', () => {
  let db: TestDatabase;
  let app: Pool;
  let owner: Pool;

  beforeAll(async () => {
    db = await createTestDatabase(PLATFORM_MIGRATIONS);
    app = createPool(db.url, { max: 4 });
    owner = createPool(db.url, { role: null, max: 1 });
  });
  afterAll(async () => {
    await app.end();
    await owner.end();
    await db.drop();
  });

  it('counts hits per key in a window shared by every storage on the database, blocking past the limit until the window ends', async () => {
    // Two storages: two replicas. An hour-long window, so that the test never straddles two.
    const [a, b] = [new PgThrottlerStorage(app), new PgThrottlerStorage(app)];
    const hour = 3_600_000;
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await (i % 2 ? b : a).increment('k1', hour, 3, hour, 'default'));
    expect(results.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(results[3]!.timeToBlockExpire).toBeGreaterThanOrEqual(1);
    expect(results[3]!.timeToBlockExpire).toBeLessThanOrEqual(3600);
    expect((await b.increment('k2', hour, 3, hour, 'default')).totalHits).toBe(1);
    // Concurrent hits are all counted: one upsert each.
    await Promise.all(Array.from({ length: 20 }, () => a.increment('k3', hour, 100, hour, 'default')));
    expect((await owner.query('SELECT hits FROM rate_limit_buckets WHERE key = $1', ['k3'])).rows).toEqual([{ hits: 20 }]);
  });

  it('deletes rows of past windows', async () => {
    await owner.query(
      `INSERT INTO rate_limit_buckets (key, window_start, expires_at, hits) VALUES ('old', now() - interval '2 minutes', now() - interval '1 minute', 9)`,
    );
    await new PgThrottlerStorage(app).increment('k4', 60_000, 10, 60_000, 'default');
    expect((await owner.query(`SELECT key FROM rate_limit_buckets WHERE key = 'old'`)).rowCount).toBe(0);
  });

  it('lets requests through when the database cannot count', async () => {
    const other = await createTestDatabase([]);
    const pool = createPool(other.url, { role: null, max: 1 });
    try {
      const record = await new PgThrottlerStorage(pool).increment('k', 60_000, 1, 60_000, 'default');
      expect(record).toEqual({ totalHits: 0, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    } finally {
      await pool.end();
      await other.drop();
    }
  });
});

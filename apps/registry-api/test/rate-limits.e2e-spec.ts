import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { createPool, createTestDatabase, freePort, TestDatabase } from '@childledger/database';
import { AuthenticatedUser, PlatformConfig } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { createRegistryApi } from '../src/registry-api.app';

interface ErrorBody {
  statusCode: number;
  message: string;
  code: string;
  errors: { field: string; rule: string; message: string }[];
}

const HEADER = 'Ma ho so,Ho va ten,Ngay sinh,Gioi tinh,Xa/Phuong,Tinh/Thanh pho';

/**
 * Per-user rate limits (issue 14) across replicas: two registry API processes' worth of Nest apps on
 * one database, with low limits set through configuration (5 requests and 2 imports a minute per user).
 * The count lives in PostgreSQL, so a user alternating between the two is refused after 5 in total.
 */
describe('registry API: per-user rate limits shared by replicas', () => {
  let db: TestDatabase;
  let auth: TestAuth;
  let owner: Pool;
  const apps: INestApplication[] = [];
  const bases: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    auth = await createTestAuth();
    const config = Object.assign(new PlatformConfig(), { LOG_LEVEL: 'silent' as const, USER_RATE_LIMIT_PER_MINUTE: 5, IMPORT_RATE_LIMIT_PER_MINUTE: 2 });
    for (let i = 0; i < 2; i += 1) {
      const app = await createRegistryApi(config, db.url, { auth: auth.auth, poolSize: 4 });
      const port = await freePort();
      await app.listen(port, '127.0.0.1');
      apps.push(app);
      bases.push(`http://127.0.0.1:${port}/api/v1`);
    }
    owner = createPool(db.url, { role: null, max: 2 });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await owner?.end();
    await db?.drop();
  });

  /**
   * Windows are fixed minutes on the database's clock: start each test's burst at least 20 s before
   * the current one ends, so that the burst is counted in one window.
   */
  async function freshWindow(): Promise<void> {
    const { rows } = await owner.query<{ left: number }>(`SELECT (60 - extract(epoch FROM clock_timestamp())::numeric % 60)::float8 AS left`);
    const left = rows[0]!.left;
    if (left < 20) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 200));
  }

  const tokens = new Map<string, string>();
  async function token(userId: string, base: AuthenticatedUser = auth.users.communeOfficer): Promise<string> {
    if (!tokens.has(userId)) tokens.set(userId, await auth.tokenFor({ ...base, userId }));
    return tokens.get(userId)!;
  }
  async function get(instance: number, path: string, userId?: string): Promise<{ status: number; headers: Headers; body: unknown }> {
    const headers: Record<string, string> = userId ? { authorization: `Bearer ${await token(userId)}` } : {};
    const res = await fetch(`${bases[instance]}${path}`, { headers });
    return { status: res.status, headers: res.headers, body: await res.json() };
  }

  it('refuses a user after 5 requests in total across both instances (429, Retry-After, rule RATE_LIMITED); another user is not affected', async () => {
    await freshWindow();
    // Different routes count into the same bucket: the limit is per user, not per route.
    const paths = [
      '/admin-units?at=2025-09-01',
      '/admin-units/00004?at=2025-09-01',
      '/admin-units?at=2025-09-01',
      '/admin-units?at=2025-09-01&province=01',
      '/admin-units?at=2025-09-01',
    ];
    const statuses: number[] = [];
    for (let i = 0; i < paths.length; i += 1) statuses.push((await get(i % 2, paths[i]!, 'officer-a')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    for (const instance of [1, 0]) {
      const refused = await get(instance, '/admin-units?at=2025-09-01', 'officer-a');
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      const message = 'at most 5 requests a minute per user';
      expect(refused.body).toMatchObject({ statusCode: 429, message, code: 'RATE_LIMITED', errors: [{ field: 'user', rule: 'RATE_LIMITED', message }] });
      expect(JSON.stringify(refused.body)).not.toContain('officer-a');
    }

    // Another user has a bucket of their own, on either instance.
    expect((await get(0, '/admin-units?at=2025-09-01', 'officer-b')).status).toBe(200);
    expect((await get(1, '/admin-units?at=2025-09-01', 'officer-b')).status).toBe(200);
    // No token: the guard refuses it first (401), nothing counted under any user.
    expect((await get(1, '/admin-units?at=2025-09-01')).status).toBe(401);
    // Public routes (no user) are not counted here.
    expect((await fetch(bases[0]!.replace('/api/v1', '/health/live'))).status).toBe(200);

    // The table holds hashes, not user ids: one bucket per user in this window.
    const { rows } = await owner.query<{ key: string; hits: number }>(
      `SELECT key, hits FROM rate_limit_buckets WHERE expires_at > clock_timestamp() ORDER BY hits DESC`,
    );
    expect(rows.map((r) => r.hits)).toEqual([7, 2]);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.key))).toBe(true);
  });

  it('counts imports per user in a stricter limit (2 a minute across both instances): the third is refused before the file is read, nothing registered', async () => {
    await freshWindow();
    const upload = async (instance: number, name: string) => {
      const body = Buffer.from(`${HEADER}\r\n1,Nguyễn Văn ${name},14/03/2016,Nam,00004,01\r\n`);
      const res = await fetch(`${bases[instance]}/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token('importer')}`, 'content-type': 'text/csv' },
        body,
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as ErrorBody };
    };
    expect((await upload(0, 'An')).status).toBe(201);
    expect((await upload(1, 'Bình')).status).toBe(201);
    const imports = async () => Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM imports')).rows[0]?.n);
    const before = await imports();
    const refused = await upload(0, 'Cường');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const message = 'at most 2 imports a minute per user';
    expect(refused.body).toMatchObject({ message, code: 'RATE_LIMITED', errors: [{ field: 'user', rule: 'RATE_LIMITED', message }] });
    expect(await imports()).toBe(before);
    // Other requests of the same user are still within the per-user limit (3 of 5 used).
    expect((await get(1, '/admin-units?at=2025-09-01', 'importer')).status).toBe(200);
  });
});

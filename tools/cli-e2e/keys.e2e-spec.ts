import { randomBytes, randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import type { EventStore } from '@childledger/event-store';
import { EVENT_STORE, loadConfig, PlatformConfig, PlatformModule } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { EncryptingPostgresEventStore, LocalKeyEncryptionKey, PgDataKeyring } from '@childledger/trust';
import { childRegistered } from '@childledger/trust/testing';
import { runCli } from './run-cli';

const cli = runCli;

describe('npm run cli -- keys', () => {
  const A = randomBytes(32).toString('base64');
  const B = randomBytes(32).toString('base64');
  const kekA = LocalKeyEncryptionKey.fromBase64(A);
  const kekB = LocalKeyEncryptionKey.fromBase64(B);
  const CHILDREN = 12;
  let db: TestDatabase;
  let pool: Pool;
  let owner: Pool;
  const personal = new Map<string, { fullName: string }>();
  let env: (kek: string, previous?: string) => Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url, { max: 2 });
    owner = createPool(db.url, { role: null, max: 1 });
    env = (kek, previous = '') => ({ DATABASE_URL: db.url, CHILDLEDGER_KEK: kek, CHILDLEDGER_KEK_PREVIOUS: previous, LOG_LEVEL: 'warn' });
    const keyring = new PgDataKeyring(pool, { kek: kekA });
    const store = new EncryptingPostgresEventStore({ pool }, keyring);
    for (let i = 0; i < CHILDREN; i++) {
      const child = randomUUID();
      const data = { fullName: `Nguyễn Văn ${i}` };
      await store.append(`child-${child}`, [childRegistered(child, data)], { expectedRevision: 'no_stream' });
      personal.set(child, data);
    }
    await store.close();
    keyring.close();
  });
  afterAll(async () => {
    await pool.end();
    await owner.end();
    await db.drop();
  });

  const rows = async () =>
    (await owner.query<{ subject: string; wrapped_key: Buffer; kek_id: string }>('SELECT subject, wrapped_key, kek_id FROM child_data_keys ORDER BY subject'))
      .rows;
  const noKeyIn = (text: string) => {
    for (const key of [A, B]) expect(text).not.toContain(key);
  };

  it('status names the current key-encryption key and counts the data keys it wraps', async () => {
    const run = await cli(env(A), 'keys', 'status');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`${kekA.id}\\s+current\\s+${CHILDREN}\\n`));
    expect(run.stdout).toContain(`all ${CHILDREN} data keys are wrapped by the current key-encryption key ${kekA.id}`);
    const json = await cli(env(A), 'keys', 'status', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ current: kekA.id, keks: [{ kekId: kekA.id, keys: CHILDREN, role: 'current' }], notCurrent: 0 });
  });

  it('rewrap without the old key exits 1 naming its key id (never a key) and changes nothing', async () => {
    const before = await rows();
    const run = await cli(env(B), 'keys', 'rewrap');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `${CHILDREN} data key(s) wrapped by key-encryption key ${kekA.id}, which is in neither CHILDLEDGER_KEK nor CHILDLEDGER_KEK_PREVIOUS`,
    );
    noKeyIn(run.stdout + run.stderr);
    expect(await rows()).toEqual(before);
    const status = await cli(env(B), 'keys', 'status');
    expect(status.stdout).toMatch(new RegExp(`${kekA.id}\\s+not configured\\s+${CHILDREN}\\n`));
  });

  it('a previous key equal to the current one, or malformed, is a configuration error naming the variable', async () => {
    const same = await cli(env(B, B), 'keys', 'rewrap');
    expect(same.status).toBe(1);
    expect(same.stderr).toContain('CHILDLEDGER_KEK_PREVIOUS: entry 1 is the current key (CHILDLEDGER_KEK)');
    noKeyIn(same.stdout + same.stderr);
    const short = await cli(env(B, `${A},${randomBytes(31).toString('base64')}`), 'keys', 'status');
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('CHILDLEDGER_KEK_PREVIOUS: entry 2 must be the base64 encoding of 32 bytes');
    noKeyIn(short.stdout + short.stderr);
  });

  /** Personal data of every child as a service (PlatformModule's EVENT_STORE) configured with these variables reads it. */
  async function readAsService(variables: Record<string, string>): Promise<Map<string, unknown>> {
    const config = loadConfig(PlatformConfig, { LOG_LEVEL: 'silent', ...variables });
    const app = await NestFactory.createApplicationContext(
      PlatformModule.forRoot({
        service: 'kek-test',
        config,
        databaseUrl: db.url,
        poolSize: 2,
        auth: { issuer: 'urn:test', audience: 'test', keys: async () => Promise.reject(new Error('no tokens')) },
      }),
      { logger: false },
    );
    try {
      const store = app.get<EventStore>(EVENT_STORE);
      const out = new Map<string, unknown>();
      for (const child of personal.keys()) out.set(child, (await store.readStream(`child-${child}`))[0]!.data.personal);
      return out;
    } finally {
      await app.close();
    }
  }

  it('a service given the new key with the old one in CHILDLEDGER_KEK_PREVIOUS reads every child before the rewrap; without it, it cannot', async () => {
    expect(await readAsService({ CHILDLEDGER_KEK: B, CHILDLEDGER_KEK_PREVIOUS: A })).toEqual(personal);
    await expect(readAsService({ CHILDLEDGER_KEK: B })).rejects.toThrow(`is wrapped by key-encryption key ${kekA.id}, which is not configured`);
  });

  it('with the old key as previous: status shows what is left, rewrap rewraps every key, a second run rewraps none', async () => {
    const during = await cli(env(B, A), 'keys', 'status');
    expect(during.stdout).toMatch(new RegExp(`${kekA.id}\\s+previous\\s+${CHILDREN}\\n`));
    expect(during.stdout).toContain(`${CHILDREN} of ${CHILDREN} data keys are not wrapped by the current key-encryption key ${kekB.id}`);

    const first = await cli(env(B, A), 'keys', 'rewrap', '--batch-size', '5');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`rewrapped ${CHILDREN} data keys to ${kekB.id}, already current 0, skipped 0`);
    noKeyIn(first.stdout + first.stderr);
    expect((await rows()).map((r) => r.kek_id)).toEqual(Array<string>(CHILDREN).fill(kekB.id));

    const second = await cli(env(B, A), 'keys', 'rewrap');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`rewrapped 0 data keys to ${kekB.id}, already current ${CHILDREN}, skipped 0`);

    const after = await cli(env(B), 'keys', 'status');
    expect(after.stdout).toContain(`all ${CHILDREN} data keys are wrapped by the current key-encryption key ${kekB.id}`);
    expect(after.stdout).not.toContain(kekA.id);

    // The old key can go: a keyring with only the new one reads every child's personal data.
    const keyring = new PgDataKeyring(pool, { kek: kekB });
    const store = new EncryptingPostgresEventStore({ pool }, keyring);
    try {
      for (const [child, data] of personal) expect((await store.readStream(`child-${child}`))[0]!.data.personal).toEqual(data);
    } finally {
      await store.close();
      keyring.close();
    }
  });
});

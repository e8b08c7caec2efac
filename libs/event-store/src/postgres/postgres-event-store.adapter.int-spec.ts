import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Pool, PoolClient } from 'pg';
import { createPool, createTestDatabase, revertMigrations, runMigrations, TestDatabase } from '@childledger/database';
import { describeEventStoreConformance, expectPerStreamOrder, Recorder } from '../testing/event-store.conformance';
import { eventually, ids, testEvent, testEvents } from '../testing/event-fixtures';
import { UpcasterRegistry } from '../upcasters';
import { EVENT_STORE_MIGRATIONS, PostgresEventStore } from './index';

async function freshStore(options: { upcasters?: UpcasterRegistry } = {}) {
  const db = await createTestDatabase(EVENT_STORE_MIGRATIONS);
  const pool = createPool(db.url, { max: 24 });
  const store = new PostgresEventStore({ pool, pollIntervalMs: 100, ...options });
  return {
    db,
    pool,
    store,
    teardown: async () => {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}

describeEventStoreConformance('PostgreSQL', freshStore);

describe(PostgresEventStore.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  let teardown: () => Promise<void>;

  beforeAll(async () => {
    ({ db, pool, store, teardown } = await freshStore());
  });
  afterAll(() => teardown());

  describe('the application role', () => {
    it('may insert and select events but not update or delete them', async () => {
      const s = `role-${randomUUID()}`;
      await store.append(s, testEvents(1));
      await expect(pool.query(`UPDATE events SET data = '{"n":-1}' WHERE stream_id = $1`, [s])).rejects.toMatchObject({ code: '42501' });
      await expect(pool.query(`DELETE FROM events WHERE stream_id = $1`, [s])).rejects.toMatchObject({ code: '42501' });
      await expect(pool.query(`TRUNCATE events`)).rejects.toMatchObject({ code: '42501' });
      expect(await store.readStream(s)).toHaveLength(1);
      expect((await pool.query('SELECT current_user AS u')).rows[0].u).toBe('childledger_app');
    });
  });

  describe('validation', () => {
    it('rejects bad events before writing anything', async () => {
      const s = `bad-${randomUUID()}`;
      await expect(store.append(s, [{ ...testEvent(), id: 'not-a-uuid' }])).rejects.toThrow(/must be a UUID/);
      await expect(store.append(s, [{ ...testEvent(), type: '' }])).rejects.toThrow(/type/);
      const e = testEvent();
      await expect(store.append(s, [e, e])).rejects.toThrow(/repeated/);
      await expect(store.append('', testEvents(1))).rejects.toThrow(/stream id/);
      await expect(store.append(s, testEvents(1), { expectedRevision: -3 })).rejects.toThrow(/non-negative/);
      await expect(store.readAll({ after: 'garbage' })).rejects.toThrow(/not a checkpoint/);
      expect(await store.readStream(s)).toEqual([]);
    });
  });

  describe('upcasting on read', () => {
    it('turns events written in an old schema version into the current one', async () => {
      const s = `up-${randomUUID()}`;
      await store.append(s, [{ id: randomUUID(), type: 'ChildRegistered', schemaVersion: 1, data: { name: 'Lê Văn An' } }]);
      const upcasting = new PostgresEventStore({
        pool,
        upcasters: new UpcasterRegistry([{ eventType: 'ChildRegistered', fromVersion: 1, upcast: ({ name, ...rest }) => ({ ...rest, fullName: name }) }]),
      });
      const [e] = await upcasting.readStream(s);
      expect(e).toMatchObject({ schemaVersion: 2, data: { fullName: 'Lê Văn An' } });
      const all = await upcasting.readAll({ filter: { streamPrefixes: [s] } });
      expect(all.events[0]).toMatchObject({ schemaVersion: 2, data: { fullName: 'Lê Văn An' } });
      await upcasting.close();
    });
  });

  describe('commit inversion: a transaction that commits late is never skipped', () => {
    async function begin(): Promise<PoolClient> {
      const c = await pool.connect();
      await c.query('BEGIN');
      return c;
    }
    async function txid(c: PoolClient): Promise<bigint> {
      return BigInt((await c.query('SELECT pg_current_xact_id()::text AS x')).rows[0].x);
    }
    async function end(c: PoolClient, how: 'COMMIT' | 'ROLLBACK') {
      await c.query(how);
      c.release();
      store.notifyCommitted();
    }
    const visibleIds = async (prefix: string) => ids((await store.readAll({ filter: { streamPrefixes: [prefix] }, maxCount: 1000 })).events);

    it('A takes the lower transaction id, B the lower position; B commits, the subscriber reads, A commits later: A is delivered once', async () => {
      const prefix = `inv1-${randomUUID()}-`;
      const rec = new Recorder();
      const sub = store.subscribe({ handler: rec.handler, filter: { streamPrefixes: [prefix] } });
      await sub.caughtUp();

      const a = await begin();
      const ta = await txid(a);
      const b = await begin();
      const eb = testEvent(1);
      await store.appendWithin(b, `${prefix}b`, [eb]);
      const tb = await txid(b);
      const ea = testEvent(2);
      await store.appendWithin(a, `${prefix}a`, [ea]);
      expect(ta < tb).toBe(true);
      const [pa, pb] = await Promise.all(
        [a, b].map(async (c) => (await c.query(`SELECT max(global_position)::text AS p FROM events WHERE stream_id LIKE $1`, [`${prefix}%`])).rows[0].p),
      );
      expect(BigInt(pb) < BigInt(pa)).toBe(true);

      await end(b, 'COMMIT');
      // B is committed but A (older) is still running: nothing may be read past A yet.
      expect(await visibleIds(prefix)).toEqual([]);
      await new Promise((r) => setTimeout(r, 300)); // the subscriber polls meanwhile
      expect(rec.events).toEqual([]);

      await end(a, 'COMMIT');
      await eventually(() => rec.events.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      await sub.stop();
      expect(rec.ids()).toEqual([ea.id, eb.id]);
    });

    it('A takes the lower position, B a higher one and commits first: the checkpoint never passes A', async () => {
      const prefix = `inv2-${randomUUID()}-`;
      const rec = new Recorder();
      const sub = store.subscribe({ handler: rec.handler, filter: { streamPrefixes: [prefix] } });
      const a = await begin();
      const ea = testEvent(1);
      await store.appendWithin(a, `${prefix}a`, [ea]);
      const b = await begin();
      const eb = testEvent(2);
      await store.appendWithin(b, `${prefix}b`, [eb]);
      await end(b, 'COMMIT');
      await new Promise((r) => setTimeout(r, 300));
      expect(rec.events).toEqual([]);
      await end(a, 'COMMIT');
      await eventually(() => rec.events.length >= 2);
      await sub.stop();
      expect(rec.ids()).toEqual([ea.id, eb.id]);
    });

    it('with rollbacks and several slow transactions interleaved, delivers exactly the committed events, once each', async () => {
      const prefix = `inv3-${randomUUID()}-`;
      const rec = new Recorder();
      const sub = store.subscribe({ handler: rec.handler, filter: { streamPrefixes: [prefix] } });
      const committed: string[] = [];
      const slow = await Promise.all(Array.from({ length: 6 }, () => begin()));
      for (const c of slow) await txid(c);
      const slowEvents = slow.map((_, i) => testEvent(100 + i));
      for (const [i, c] of slow.entries()) await store.appendWithin(c, `${prefix}slow${i}`, [slowEvents[i]!]);
      for (let i = 0; i < 20; i++) {
        const e = testEvent(i);
        await store.append(`${prefix}fast${i % 3}`, [e]);
        committed.push(e.id);
      }
      // Finish the slow ones out of order, half of them rolled back.
      for (const i of [4, 1, 5, 0, 3, 2]) {
        const how = i % 2 === 0 ? 'COMMIT' : 'ROLLBACK';
        await end(slow[i]!, how);
        if (how === 'COMMIT') committed.push(slowEvents[i]!.id);
        await new Promise((r) => setTimeout(r, 50));
      }
      await eventually(() => rec.events.length >= committed.length);
      await new Promise((r) => setTimeout(r, 300));
      await sub.stop();
      expect(new Set(rec.ids())).toEqual(new Set(committed));
      expect(rec.ids()).toHaveLength(committed.length);
      expectPerStreamOrder(rec.events);
    });
  });

  it('stress: 16 writers × 1,500 appends (some in transactions that roll back) while 3 subscribers read live: each sees every committed event exactly once, in the same order', async () => {
    const prefix = `stress16-${randomUUID().slice(0, 8)}-`;
    const recorders = [new Recorder(), new Recorder(), new Recorder()];
    const subs = recorders.map((r) => store.subscribe({ handler: r.handler, filter: { streamPrefixes: [prefix] }, batchSize: 500 }));
    const committed = new Set<string>();
    const rolledBack = new Set<string>();
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 1500; i++) {
          const stream = `${prefix}${w}-${i % 10}`;
          if (i % 100 === 37) {
            // A transaction that appends and then rolls back: its events must never surface.
            const c = await pool.connect();
            try {
              await c.query('BEGIN');
              const e = testEvent(i);
              await store.appendWithin(c, `${prefix}rb-${w}`, [e]);
              rolledBack.add(e.id);
              await c.query('ROLLBACK');
            } finally {
              c.release();
            }
            continue;
          }
          const e = testEvent(i);
          await store.append(stream, [e]);
          committed.add(e.id);
        }
      }),
    );
    await eventually(() => recorders.every((r) => r.events.length >= committed.size), 120_000, 'subscribers to catch up');
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all(subs.map((s) => s.stop()));
    for (const r of recorders) {
      expect(r.events).toHaveLength(committed.size);
      expect(new Set(r.ids())).toEqual(committed);
      expect(r.ids().some((id) => rolledBack.has(id))).toBe(false);
      expectPerStreamOrder(r.events);
    }
    expect(recorders[1]!.ids()).toEqual(recorders[0]!.ids());
    expect(recorders[2]!.ids()).toEqual(recorders[0]!.ids());
  });

  it('crash and resume: a subscriber process killed (SIGKILL) again and again, between and mid-batch, ends with every event applied exactly once', async () => {
    const owner = createPool(db.url, { role: null, max: 2 });
    await owner.query('CREATE TABLE crash_effects (seq bigserial PRIMARY KEY, event_id uuid NOT NULL, stream_id text NOT NULL, revision bigint NOT NULL)');
    await owner.query('GRANT SELECT, INSERT ON crash_effects TO childledger_app; GRANT USAGE ON SEQUENCE crash_effects_seq_seq TO childledger_app');
    const prefix = `crash-${randomUUID().slice(0, 8)}-`;
    const total = 3000;
    let written = 0;
    const writer = (async () => {
      while (written < total) {
        await store.append(`${prefix}${written % 7}`, testEvents(10));
        written += 10;
        if (written % 200 === 0) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const root = path.resolve(__dirname, '../../../..');
    const start = (): ChildProcess =>
      spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(__dirname, 'crash-subscriber.script.ts')], {
        env: { ...process.env, CRASH_DATABASE_URL: db.url, CRASH_STREAM_PREFIX: prefix },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const applied = async () => Number((await owner.query('SELECT count(*) AS n FROM crash_effects')).rows[0].n);
    let kills = 0;
    for (let round = 0; round < 8; round++) {
      const child = start();
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`subscriber exited early with ${code}`)));
      });
      const before = await applied();
      await eventually(async () => (await applied()) > before || (await applied()) >= total, 30_000);
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 150)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      kills++;
    }
    await writer;
    const last = start();
    await eventually(async () => (await applied()) >= total, 60_000, 'the restarted subscriber to finish');
    await new Promise((r) => setTimeout(r, 300));
    last.kill('SIGKILL');
    const effects = (await owner.query('SELECT event_id, stream_id, revision FROM crash_effects ORDER BY seq')).rows;
    await owner.end();
    expect(kills).toBe(8);
    const expected: string[] = [];
    for (let i = 0; i < 7; i++) expected.push(...ids(await store.readStream(`${prefix}${i}`)));
    expect(effects).toHaveLength(total);
    expect(new Set(effects.map((e) => e.event_id))).toEqual(new Set(expected));
    expectPerStreamOrder(effects.map((e) => ({ streamId: e.stream_id, revision: Number(e.revision) })) as never);
  });

  it('migrations go down and up again on a log that holds events', async () => {
    const other = await createTestDatabase(EVENT_STORE_MIGRATIONS);
    const p = createPool(other.url);
    const s = new PostgresEventStore({ pool: p });
    await s.append('child-1', testEvents(2));
    await s.close();
    await p.end();
    await revertMigrations(other.url, EVENT_STORE_MIGRATIONS, EVENT_STORE_MIGRATIONS.length);
    expect(await runMigrations(other.url, EVENT_STORE_MIGRATIONS)).toEqual(['CreateEventStore1732300000000', 'CreateSubscriptionDeadLetters1732300000001']);
    expect(await runMigrations(other.url, EVENT_STORE_MIGRATIONS)).toEqual([]);
    await other.drop();
  });
});

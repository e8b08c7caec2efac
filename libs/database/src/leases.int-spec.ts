import type { Pool } from 'pg';
import { LeaseKeeper } from './leases';
import { createPool } from './pool';
import { createTestDatabase, TestDatabase } from './test-database';

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Two keepers on two pools: two replicas as PostgreSQL sees them (two sessions). */
describe('LeaseKeeper (one active worker per name across replicas)', () => {
  let db: TestDatabase;
  let admin: Pool;
  let poolA: Pool;
  let poolB: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = createPool(db.url, { role: null, max: 2 });
    poolA = createPool(db.url, { max: 3, application_name: 'replica-a' });
    poolB = createPool(db.url, { max: 3, application_name: 'replica-b' });
  });
  afterAll(async () => {
    await Promise.all([poolA.end(), poolB.end(), admin.end()]);
    await db.drop();
  });

  it('only one keeper holds a name; the other gets it once the holder releases it; other names are independent', async () => {
    const a = new LeaseKeeper(poolA, { retryMs: 20 });
    const b = new LeaseKeeper(poolB, { retryMs: 20 });
    expect(await a.tryAcquire('relay:x')).not.toBeNull();
    expect(await b.tryAcquire('relay:x')).toBeNull();
    expect(await b.tryAcquire('relay:y')).not.toBeNull();
    expect(a.holding()).toEqual(['relay:x']);
    expect(b.holding()).toEqual(['relay:y']);
    await a.release('relay:x');
    expect(await b.tryAcquire('relay:x')).not.toBeNull();
    expect(await a.tryAcquire('relay:x')).toBeNull();
    await a.close();
    await b.close();
  });

  it('runWhileHeld: one runs the work at a time; a killed lease connection stops the holder’s work; the standby takes over when the holder stops', async () => {
    const a = new LeaseKeeper(poolA, { retryMs: 20, heartbeatMs: 50 });
    const b = new LeaseKeeper(poolB, { retryMs: 20, heartbeatMs: 50 });
    const stops = { a: new AbortController(), b: new AbortController() };
    const running = new Set<string>();
    const overlaps: string[] = [];
    const log: string[] = [];
    const work = (who: string) => async (signal: AbortSignal) => {
      if (running.size > 0) overlaps.push(`${who} while ${[...running].join()}`);
      running.add(who);
      log.push(`${who} on`);
      await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
      running.delete(who);
      log.push(`${who} off`);
    };
    const standbys: string[] = [];
    const runA = a.runWhileHeld('projection:p', stops.a.signal, work('a'), () => standbys.push('a'));
    await until(() => running.has('a'), 'a to run');
    const runB = b.runWhileHeld('projection:p', stops.b.signal, work('b'), () => standbys.push('b'));
    // b keeps trying (every 20 ms) and keeps failing while a holds it.
    await new Promise((r) => setTimeout(r, 300));
    expect([...running]).toEqual(['a']);
    expect(standbys).toContain('b');

    // a's lease connection dies (a network cut, a restarted primary): PostgreSQL drops its locks,
    // a's work is told and stops; then one of the two (whichever asks first) holds it again.
    const killed = await admin.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(l.pid))::int AS n FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
        WHERE l.locktype = 'advisory' AND s.application_name = 'replica-a' AND l.granted AND s.datname = current_database()`,
    );
    expect(killed.rows[0]!.n).toBe(1);
    await until(() => log.includes('a off'), 'a to stop its work');
    await until(() => running.size === 1, 'one of them to hold the lease again');
    const holder = running.has('a') ? 'a' : 'b';
    const other = holder === 'a' ? 'b' : 'a';
    expect((holder === 'a' ? a : b).holding()).toEqual(['projection:p']);
    expect((holder === 'a' ? b : a).holding()).toEqual([]);

    // The holder stops (its process shuts down): the standby takes over.
    stops[holder].abort();
    await (holder === 'a' ? runA : runB);
    await until(() => running.has(other), `${other} to take over`);
    expect(overlaps).toEqual([]);

    stops[other].abort();
    await Promise.all([runA, runB]);
    expect(running.size).toBe(0);
    await a.close();
    await b.close();
    // Nothing is left locked.
    expect(
      (
        await admin.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      ).rows[0].n,
    ).toBe(0);
  });
});

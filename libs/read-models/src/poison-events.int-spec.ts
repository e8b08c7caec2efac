import { randomUUID } from 'node:crypto';
import type { ClientBase, Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import {
  createPostgresEventStore,
  EVENT_STORE_MIGRATIONS,
  EventStore,
  PgDeadLetterStore,
  RecordedEvent,
  SubscriptionStatusBoard,
} from '@childledger/event-store';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import type { Projection } from './projection';
import { PROJECTIONS } from './projections';
import { checkpointName, ProjectionRunner } from './projection-runner';
import { LedgerFixture } from './testing';
import { UnitResolver } from './unit-resolver';

const units = loadAdministrativeUnits();

/** A projection that counts what it applied, and fails on events marked `poison` while `broken` is set (the bug, until it is fixed). */
class ProbeProjection implements Projection {
  readonly name = 'probe';
  readonly tables = ['probe_applied'];
  broken = true;
  async apply(events: readonly RecordedEvent[], tx: ClientBase): Promise<void> {
    for (const e of events) {
      if (this.broken && e.data['poison'] === true) throw new TypeError(`cannot fold "${String(e.data['name'])}" born 20160314`);
      await tx.query('INSERT INTO probe_applied (event_id, stream_id, revision) VALUES ($1, $2, $3)', [e.id, e.streamId, e.revision]);
    }
  }
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ProjectionRunner: poison events', () => {
  let db: TestDatabase;
  let pool: Pool;
  let owner: Pool;
  let store: EventStore;
  let runner: ProjectionRunner;
  const probe = new ProbeProjection();
  const status = new SubscriptionStatusBoard();
  const logged: { obj: Record<string, unknown>; msg: string }[] = [];
  const log = {
    warn: (obj: Record<string, unknown>, msg: string) => logged.push({ obj, msg }),
    error: (obj: Record<string, unknown>, msg: string) => logged.push({ obj, msg }),
  };

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS]);
    owner = createPool(db.url, { role: null, max: 2 });
    await owner.query('CREATE TABLE probe_applied (event_id uuid PRIMARY KEY, stream_id text NOT NULL, revision int NOT NULL)');
    await owner.query('GRANT SELECT, INSERT ON probe_applied TO childledger_app');
    pool = createPool(db.url, { max: 8 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    runner = new ProjectionRunner({
      store,
      pool,
      projections: [...PROJECTIONS, probe],
      units: new UnitResolver(units),
      batchSize: 50,
      poison: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, retryPollMs: 50 },
      status,
      log,
    });
    await runner.start();
  });

  afterAll(async () => {
    await runner.stop();
    await store.close();
    await pool.end();
    await owner.end();
    await db.drop();
  });

  const applied = async (): Promise<Map<string, number>> => {
    const rows = (await pool.query<{ event_id: string; n: number }>('SELECT event_id, count(*)::int AS n FROM probe_applied GROUP BY event_id')).rows;
    return new Map(rows.map((r) => [r.event_id, r.n]));
  };
  const children = async (): Promise<number> => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rm_children')).rows[0]!.n;

  it('dead-letters a malformed event after its retries, parks only its stream, and every projection goes on', async () => {
    const fx = new LedgerFixture(store, units);
    await fx.child(
      'c-before',
      'RegisterChild',
      { childId: 'c-before', fullName: 'Trần Văn Bình', dateOfBirth: '2015-01-02', sex: 'M', residence: { communeCode: '00004', effectiveFrom: '2025-07-01' } },
      { at: '2025-07-01T08:00:00Z' },
    );
    // A malformed registration (no residence, a personal value in a field the fold trips over) in its own stream.
    const badId = randomUUID();
    await store.append('child-malformed', [{ id: badId, type: 'ChildRegistered', data: { childId: 'malformed', poison: true, name: 'Nguyễn Thị Hà' } }], {
      expectedRevision: 'no_stream',
    });
    const parkedId = randomUUID();
    await store.append('child-malformed', [
      { id: parkedId, type: 'SpecialCircumstanceIdentified', data: { childId: 'malformed', group: 3, effectiveFrom: '2025-07-02' } },
    ]);
    await fx.child(
      'c-after',
      'RegisterChild',
      { childId: 'c-after', fullName: 'Lê Thị Cúc', dateOfBirth: '2016-02-03', sex: 'F', residence: { communeCode: '00004', effectiveFrom: '2025-07-01' } },
      { at: '2025-07-01T09:00:00Z' },
    );
    await runner.caughtUp();

    await until(async () => (await applied()).size >= 2 && (await children()) >= 2, 'the events after the poison one');
    // Every projection: the good children are there, the probe applied everything but the malformed stream.
    expect(await children()).toBe(2);
    const probeApplied = await applied();
    expect(probeApplied.has(badId)).toBe(false);
    expect(probeApplied.has(parkedId)).toBe(false);

    const dl = await new PgDeadLetterStore(pool).list({ subscription: checkpointName('probe') });
    expect(dl.map((d) => [d.eventId, d.status, d.eventType, d.streamId, d.revision, d.attempts])).toEqual([
      [badId, 'failed', 'ChildRegistered', 'child-malformed', 0, 3],
      [parkedId, 'parked', 'SpecialCircumstanceIdentified', 'child-malformed', 1, 0],
    ]);
    // The error names the class and the rule, with the quoted value and the long number blanked.
    expect(dl[0]!.error).toBe('TypeError: cannot fold "…" born #');
    expect(dl[0]!.position).toMatch(/^\d+:\d+$/);
    // The real children projection trips over the missing residence too: dead-lettered, not stuck.
    const childrenLetters = await new PgDeadLetterStore(pool).list({ subscription: checkpointName('children') });
    expect(childrenLetters.map((d) => [d.eventId, d.status])).toEqual([
      [badId, 'failed'],
      [parkedId, 'parked'],
    ]);
    expect(status.get(checkpointName('probe'))).toMatchObject({ state: 'running', deadLettered: 2 });
    expect(status.problems()).toEqual([]);
    expect(JSON.stringify(logged)).not.toMatch(/Nguyễn|20160314|malformed/);
    expect(logged.some((l) => l.msg.startsWith('event dead-lettered') && l.obj['subscription'] === checkpointName('probe'))).toBe(true);
  });

  it('parks later events of the stream as they arrive, and a retry after the fix applies the stream once, in order', async () => {
    const lateId = randomUUID();
    await store.append('child-malformed', [
      { id: lateId, type: 'SpecialCircumstanceIdentified', data: { childId: 'malformed', group: 4, effectiveFrom: '2025-07-03' } },
    ]);
    const dls = new PgDeadLetterStore(pool);
    await until(async () => (await dls.list({ subscription: checkpointName('probe') })).length === 3, 'the late event parked');
    expect((await applied()).has(lateId)).toBe(false);

    probe.broken = false; // the fix is deployed
    const head = (await dls.list({ subscription: checkpointName('probe') }))[0]!;
    expect(await dls.requestRetry(head.id)).toBe(3);
    await until(async () => (await dls.list({ subscription: checkpointName('probe') })).length === 0, 'the retried stream applied');

    const rows = (
      await pool.query<{ event_id: string; revision: number }>(
        `SELECT event_id, revision FROM probe_applied WHERE stream_id = 'child-malformed' ORDER BY revision`,
      )
    ).rows;
    expect(rows.map((r) => r.revision)).toEqual([0, 1, 2]);
    const counts = await applied();
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const all = await dls.list({ subscription: checkpointName('probe'), includeResolved: true });
    expect(all.map((d) => d.status)).toEqual(['applied', 'applied', 'applied']);

    // Once applied the stream is no longer parked: its next event is applied directly, once.
    const nextId = randomUUID();
    await store.append('child-malformed', [
      { id: nextId, type: 'SpecialCircumstanceIdentified', data: { childId: 'malformed', group: 5, effectiveFrom: '2025-07-04' } },
    ]);
    await until(async () => (await applied()).get(nextId) === 1, 'the next event of the stream');
    expect((await dls.list({ subscription: checkpointName('probe'), includeResolved: true })).length).toBe(3);
  });

  it('a retry that fails again leaves the letter failed and the stream parked; skip gives up on it and the stream goes on', async () => {
    const dls = new PgDeadLetterStore(pool);
    probe.broken = true;
    const poisonId = randomUUID();
    const behindId = randomUUID();
    await store.append('child-second', [{ id: poisonId, type: 'ChildRegistered', data: { childId: 'second', poison: true } }], {
      expectedRevision: 'no_stream',
    });
    await store.append('child-second', [
      { id: behindId, type: 'SpecialCircumstanceIdentified', data: { childId: 'second', group: 1, effectiveFrom: '2025-07-05' } },
    ]);
    const probeLetters = async () => dls.list({ subscription: checkpointName('probe') });
    await until(async () => (await probeLetters()).filter((d) => d.streamId === 'child-second').length === 2, 'the second stream dead-lettered');
    const head = (await probeLetters()).find((d) => d.eventId === poisonId)!;

    await dls.requestRetry(head.id);
    await until(async () => (await dls.get(head.id))!.status === 'failed' && (await dls.get(head.id))!.attempts === 4, 'the failed retry');
    expect((await probeLetters()).find((d) => d.eventId === behindId)!.status).toBe('parked');

    expect(await dls.skip(head.id)).toEqual({ skipped: true, requeued: 1 });
    await until(async () => (await applied()).get(behindId) === 1, 'the event behind the skipped one');
    expect((await applied()).has(poisonId)).toBe(false);
    expect((await dls.get(head.id))!.status).toBe('skipped');
    expect(await dls.skip(head.id)).toEqual({ skipped: false, requeued: 0 });
  });
});

import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore, PgDeadLetterStore, SubscriptionStatusBoard } from '@childledger/event-store';
import { eventually } from '@childledger/event-store/testing';
import { PartnerProjector, parseAgreement, Pseudonymiser, RoutingState, SourceEvent } from '@childledger/partner-streams';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { OutboxSignal } from './pg-partner-feed';
import { PgPartnerProjection, projectionName } from './pg-partner-projection';
import * as ev from './testing/domain-events';

const agreement = parseAgreement({
  id: 'moet',
  name: 'Education',
  sector: 'education',
  jurisdictions: ['*'],
  channels: ['http'],
  events: { ChildRegistered: ['sex'], SpecialCircumstanceIdentified: ['group'] },
});

/** The real projector, with a bug on events marked `poison` until it is fixed. */
class BuggyProjector extends PartnerProjector {
  broken = true;
  override project(events: readonly SourceEvent[], state: RoutingState) {
    if (this.broken && events.some((e) => e.data['poison'] === true)) throw new RangeError('unexpected field in the event');
    return super.project(events, state);
  }
}

describe(`${PgPartnerProjection.name}: poison events`, () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  let projection: PgPartnerProjection;
  const projector = new BuggyProjector(agreement, new Pseudonymiser('poison-secret-00000000000'), (c) => c.slice(0, 2));
  const status = new SubscriptionStatusBoard();
  const letters = () => new PgDeadLetterStore(pool).list({ subscription: projectionName('moet') });
  const outbox = async () =>
    (await pool.query<{ event_id: string }>(`SELECT event_id FROM partner_outbox WHERE partner_id = 'moet' ORDER BY seq`)).rows.map((r) => r.event_id);

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    pool = createPool(db.url, { max: 6 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    projection = new PgPartnerProjection(pool, store, projector, {
      batchSize: 10,
      signal: new OutboxSignal(),
      poison: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, retryPollMs: 50 },
      status,
    });
    await projection.start();
  });
  afterAll(async () => {
    await projection.stop();
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('a malformed event (a schema version no upcaster lifts) is dead-lettered, its stream parked, and the other children go on', async () => {
    const [bad, good] = [randomUUID(), randomUUID()];
    const malformed = { ...ev.childRegistered(bad, '48001', 1), schemaVersion: 7 };
    await store.append(`child-${bad}`, [malformed]);
    const behind = ev.specialCircumstanceIdentified(bad);
    await store.append(`child-${bad}`, [behind]);
    const fine = ev.childRegistered(good, '48001', 2);
    await store.append(`child-${good}`, [fine]);

    await eventually(async () => (await outbox()).includes(fine.id), 10_000);
    await eventually(async () => (await letters()).length === 2, 10_000);
    const dl = await letters();
    expect(dl.map((d) => [d.eventId, d.status, d.attempts])).toEqual([
      [malformed.id, 'failed', 2],
      [behind.id, 'parked', 0],
    ]);
    expect(dl[0]!.error).toMatch(/^Error: event .* ChildRegistered schema version 7, expected 1/);
    expect(await outbox()).toEqual([fine.id]);
    expect(status.get(projectionName('moet'))).toMatchObject({ state: 'running', deadLettered: 2 });
  });

  it('retry after the fix writes the stream to the outbox once, in order', async () => {
    const id = randomUUID();
    const poison = { ...ev.childRegistered(id, '48001', 3), data: { ...ev.childRegistered(id, '48001', 3).data, poison: true } };
    const next = ev.specialCircumstanceIdentified(id);
    await store.append(`child-${id}`, [poison]);
    await store.append(`child-${id}`, [next]);
    const dls = new PgDeadLetterStore(pool);
    await eventually(async () => (await letters()).filter((d) => d.eventId === poison.id || d.eventId === next.id).length === 2, 10_000);
    expect(await outbox()).not.toContain(poison.id);

    projector.broken = false;
    const head = (await letters()).find((d) => d.eventId === poison.id)!;
    expect(await dls.requestRetry(head.id)).toBe(2);
    await eventually(async () => (await outbox()).includes(next.id), 10_000);
    const box = await outbox();
    expect(box.filter((x) => x === poison.id || x === next.id)).toEqual([poison.id, next.id]);
    expect(new Set(box).size).toBe(box.length);
    // The malformed one of the first test is still failed: only the retried stream moved.
    expect((await letters()).map((d) => d.status)).toEqual(['failed', 'parked']);
  });
});

import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore, PgDeadLetterStore } from '@childledger/event-store';
import { eventually } from '@childledger/event-store/testing';
import { PartnerProjector, parseAgreement, Pseudonymiser, RoutingState, SourceEvent } from '@childledger/partner-streams';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { PgPartnerProjection, projectionName } from './pg-partner-projection';
import * as ev from './testing/domain-events';

const agreement = parseAgreement({
  id: 'molisa',
  name: 'Labour',
  sector: 'other',
  jurisdictions: ['*'],
  channels: ['http'],
  events: { ChildRegistered: ['sex'], SpecialCircumstanceIdentified: ['group'] },
});

/** The real projector, failing on an event marked `poison`; records the size of each call and whether it threw. */
class RecordingProjector extends PartnerProjector {
  readonly calls: { size: number; threw: boolean }[] = [];
  override project(events: readonly SourceEvent[], state: RoutingState) {
    const threw = events.some((e) => e.data['poison'] === true);
    this.calls.push({ size: events.length, threw });
    if (threw) throw new RangeError('unexpected field in the event');
    return super.project(events, state);
  }
}

/**
 * A batch is projected into its COPY a chunk at a time: when a later chunk fails, the lines of the
 * earlier ones were already sent. The COPY and its transaction must be abandoned whole (no entry
 * twice, none out of order once the batch is retried event by event).
 */
describe(`${PgPartnerProjection.name}: a batch failing part way through its COPY`, () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    pool = createPool(db.url, { max: 6 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('leaves nothing of the failed COPY: the outbox holds each good event once, in log order, and the failing one is dead-lettered', async () => {
    const child = randomUUID();
    const other = randomUUID();
    const events = [ev.childRegistered(child, '48001', 0)];
    for (let i = 1; i <= 1200; i++) {
      const e = ev.specialCircumstanceIdentified(child, 1 + (i % 14), i);
      if (i === 700) e.data['poison'] = true;
      events.push(e);
    }
    // One append: one transaction, so the whole log is one batch of the projection.
    await store.append(`child-${child}`, events);
    const after = ev.childRegistered(other, '48001', 1);
    await store.append(`child-${other}`, [after]);

    const projector = new RecordingProjector(agreement, new Pseudonymiser('copy-secret-000000000000'), (c) => c.slice(0, 2));
    const projection = new PgPartnerProjection(pool, store, projector, {
      batchSize: 5000,
      poison: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 10, retryPollMs: 50 },
    });
    await projection.start();
    try {
      const outbox = async () =>
        (await pool.query<{ event_id: string }>(`SELECT event_id FROM partner_outbox WHERE partner_id = 'molisa' ORDER BY seq`)).rows.map((r) => r.event_id);
      await eventually(async () => (await outbox()).includes(after.id), 60_000);
      // The first try of the batch: a chunk projected (its lines sent to the COPY), then the failing one.
      expect(projector.calls.slice(0, 2)).toEqual([
        { size: 500, threw: false },
        { size: 500, threw: true },
      ]);
      // Event by event after that: everything before the failing event, once each and in order; the
      // events of its stream after it are parked behind it; the other child goes on.
      expect(await outbox()).toEqual([...events.slice(0, 700).map((e) => e.id), after.id]);
      const letters = await new PgDeadLetterStore(pool).list({ subscription: projectionName('molisa') });
      expect(letters.filter((l) => l.status === 'failed').map((l) => l.eventId)).toEqual([events[700]!.id]);
      expect(letters.filter((l) => l.status === 'parked')).toHaveLength(500);
    } finally {
      await projection.stop();
    }
  }, 120_000);
});

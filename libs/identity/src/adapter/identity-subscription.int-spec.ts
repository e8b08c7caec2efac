import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import {
  createPostgresEventStore,
  EVENT_STORE_MIGRATIONS,
  EventStore,
  PgDeadLetterStore,
  RecordedEvent,
  SubscriptionStatusBoard,
} from '@childledger/event-store';
import { eventually } from '@childledger/event-store/testing';
import { IDENTITY_MIGRATIONS } from '@childledger/identity/migrations';
import { NationalRegistryRejectedError, NationalRegistryUnavailableError } from '../national-registry/national-registry.errors';
import { ChildrenIndexStore, ReviewQueueStore } from '../reconciliation/review-queue.store';
import type { IdentityResolver, ResolutionOutcome } from './identity-resolver';
import { IdentitySubscription } from './identity-subscription';

/** Stands in for the resolver (the national database and the matching): fails as each child's script says. */
class ScriptedResolver {
  readonly calls = new Map<string, number>();
  readonly failures = new Map<string, () => Error>();
  unavailableFor = new Map<string, number>();

  async process(event: RecordedEvent): Promise<ResolutionOutcome> {
    const childId = String(event.data['childId']);
    this.calls.set(childId, (this.calls.get(childId) ?? 0) + 1);
    const left = this.unavailableFor.get(childId) ?? 0;
    if (left > 0) {
      this.unavailableFor.set(childId, left - 1);
      throw new NationalRegistryUnavailableError('national database answered 503', 503);
    }
    const fail = this.failures.get(childId);
    if (fail) throw fail();
    return { kind: 'no_match', childId, method: 'search' };
  }
}

const registered = (childId: string, residence: unknown = { communeCode: '00004', effectiveFrom: '2025-07-01' }) => ({
  id: randomUUID(),
  type: 'ChildRegistered',
  data: { childId, sex: 'F', residence, personal: { fullName: 'Phạm Thị Mai', dateOfBirth: '2016-03-14' } },
});
const moved = (childId: string, communeCode: string) => ({
  id: randomUUID(),
  type: 'ResidenceChanged',
  data: { childId, communeCode, effectiveFrom: '2025-08-01' },
});

describe(`${IdentitySubscription.name}: unavailable national database and poison events`, () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  let subscription: IdentitySubscription;
  const resolver = new ScriptedResolver();
  const status = new SubscriptionStatusBoard();
  const transient: number[] = [];
  const letters = () => new PgDeadLetterStore(pool).list({ subscription: 'identity-adapter' });
  const indexed = async (childId: string) =>
    (await pool.query<{ commune_code: string }>('SELECT commune_code FROM identity_children WHERE child_id = $1', [childId])).rows[0]?.commune_code;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...IDENTITY_MIGRATIONS]);
    pool = createPool(db.url, { max: 5 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    subscription = new IdentitySubscription({
      store,
      pool,
      resolver: resolver as unknown as IdentityResolver,
      reviewQueue: new ReviewQueueStore(pool),
      children: new ChildrenIndexStore(pool),
      retryDelayMs: 5,
      maxRetryDelayMs: 20,
      poison: { maxAttempts: 3, retryPollMs: 50 },
      status,
      onTransientFailure: (_event, _err, attempt) => transient.push(attempt),
    });
    await subscription.start();
  });
  afterAll(async () => {
    await subscription.stop();
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('tries again, without dead-lettering, while the national database is unavailable', async () => {
    const child = randomUUID();
    resolver.unavailableFor.set(child, 6);
    await store.append(`child-${child}`, [registered(child)]);
    await eventually(async () => (await indexed(child)) === '00004', 10_000);
    expect(resolver.calls.get(child)).toBe(7);
    expect(transient).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await letters()).toEqual([]);
  });

  it('dead-letters a resolver error that is not unavailability after its tries, parks that child, and the others go on', async () => {
    const [refused, malformed, fine] = [randomUUID(), randomUUID(), randomUUID()];
    resolver.failures.set(refused, () => new NationalRegistryRejectedError('national database refused the request (400)', 400));
    const refusedEvent = registered(refused);
    await store.append(`child-${refused}`, [refusedEvent]);
    const behind = moved(refused, '00006');
    await store.append(`child-${refused}`, [behind]);
    // Registered without a residence: the children index cannot take it.
    const malformedEvent = registered(malformed, null);
    await store.append(`child-${malformed}`, [malformedEvent]);
    await store.append(`child-${fine}`, [registered(fine)]);

    await eventually(async () => (await indexed(fine)) === '00004', 10_000);
    const dl = await letters();
    expect(dl.map((d) => [d.eventId, d.status, d.attempts])).toEqual([
      [refusedEvent.id, 'failed', 3],
      [behind.id, 'parked', 0],
      [malformedEvent.id, 'failed', 3],
    ]);
    expect(resolver.calls.get(refused)).toBe(3);
    expect(dl[0]!.error).toBe('NationalRegistryRejectedError: national database refused the request (400)');
    expect(dl[2]!.error).toMatch(/^TypeError: Cannot read properties of null/);
    expect(await indexed(refused)).toBeUndefined();
    expect(status.get('identity-adapter')).toMatchObject({ state: 'running', deadLettered: 3 });

    // Fixed (the request is accepted now): a retry applies the child's events once, in order.
    resolver.failures.delete(refused);
    await new PgDeadLetterStore(pool).requestRetry(dl[0]!.id);
    await eventually(async () => (await indexed(refused)) === '00006', 10_000);
    expect(resolver.calls.get(refused)).toBe(4);
    expect((await letters()).map((d) => d.eventId)).toEqual([malformedEvent.id]);
  });
});

import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CommandHandler, CqrsModule } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, Decider, EVENT_STORE, EVENT_STORE_MIGRATIONS, EventStore, WrongExpectedVersionError } from '@childledger/event-store';
import type { Pool } from 'pg';
import { CommandEnvelope, DeciderCommandHandler } from './decider-command-handler';

// A tiny aggregate: a counter that may not pass a limit. Enough to exercise the bridge.
type CounterEvent = { type: 'Incremented'; data: { by: number } };
type Increment = { by: number; limit: number };
const counter: Decider<Increment, number, CounterEvent> = {
  initialState: () => 0,
  evolve: (n, e) => n + e.data.by,
  decide: (c, n) => {
    if (n + c.by > c.limit) throw new Error(`limit ${c.limit} reached`);
    return [{ type: 'Incremented', data: { by: c.by } }];
  },
};

class IncrementCommand implements CommandEnvelope<Increment> {
  constructor(
    readonly streamId: string,
    readonly command: Increment,
    readonly metadata = { correlationId: 'test' },
    readonly expectedRevision?: number,
  ) {}
}

@Injectable()
@CommandHandler(IncrementCommand)
class IncrementHandler extends DeciderCommandHandler<Increment, number, CounterEvent> {
  protected override readonly maxRetries = 25;
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, counter);
  }
}

describe(DeciderCommandHandler.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  let app: INestApplicationContext;
  let bus: CommandBus;

  beforeAll(async () => {
    db = await createTestDatabase(EVENT_STORE_MIGRATIONS);
    pool = createPool(db.url);
    store = createPostgresEventStore({ pool });
    @Module({ imports: [CqrsModule.forRoot()], providers: [IncrementHandler, { provide: EVENT_STORE, useValue: store }] })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
    bus = app.get(CommandBus);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('loads the stream, decides, and appends with the expected revision and the metadata', async () => {
    await bus.execute(new IncrementCommand('counter-a', { by: 2, limit: 10 }));
    const result = await bus.execute(new IncrementCommand('counter-a', { by: 3, limit: 10 }));
    expect(result.revision).toBe(1);
    const events = await store.readStream('counter-a');
    expect(events.map((e) => e.data['by'])).toEqual([2, 3]);
    expect(events[0]!.metadata).toEqual({ correlationId: 'test' });
  });

  it('retries on concurrent writes, deciding again on the fresh state each time', async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => bus.execute(new IncrementCommand('counter-b', { by: 1, limit: 10 }))));
    // Ten fit under the limit; the two that come last see the limit reached after reloading.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.map((r) => String(r.reason))).toEqual(['Error: limit 10 reached', 'Error: limit 10 reached']);
    const events = await store.readStream('counter-b');
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('does not retry when the client named the revision it saw (If-Match)', async () => {
    await bus.execute(new IncrementCommand('counter-c', { by: 1, limit: 10 }));
    await bus.execute(new IncrementCommand('counter-c', { by: 1, limit: 10 }));
    const err = await bus.execute(new IncrementCommand('counter-c', { by: 1, limit: 10 }, undefined, 0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongExpectedVersionError);
    expect((err as WrongExpectedVersionError).actualRevision).toBe(1);
    expect(await store.readStream('counter-c')).toHaveLength(2);
  });
});

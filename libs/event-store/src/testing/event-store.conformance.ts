import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { IdempotencyConflictError, WrongExpectedVersionError } from '../event-store.errors';
import type { Checkpoint, EventStore, RecordedEvent } from '../event-store.port';
import { eventually, ids, testEvent, testEvents } from './event-fixtures';

export interface ConformanceTarget {
  store: EventStore;
  teardown(): Promise<void>;
}

export interface ConformanceOptions {
  /** Writers × appends in the concurrent-writers test. */
  writers?: number;
  appendsPerWriter?: number;
  /**
   * Whether reusing an event id in another stream is detected. EventStoreDB's idempotency is per
   * stream, so its adapter cannot see it; the PostgreSQL adapter's unique index does.
   */
  crossStreamIdempotency?: boolean;
}

/** Collects what a subscription delivers; the order of `events` is the delivery order. */
export class Recorder {
  readonly events: RecordedEvent[] = [];
  checkpoint: Checkpoint | null = null;
  readonly handler = async (batch: RecordedEvent[], checkpoint: Checkpoint): Promise<void> => {
    this.events.push(...batch);
    this.checkpoint = checkpoint;
  };
  ids(): string[] {
    return ids(this.events);
  }
}

function expectNoDuplicates(list: string[]): void {
  expect(new Set(list).size).toBe(list.length);
}

/** Events of each stream appear in revision order, with no revision missing. */
export function expectPerStreamOrder(events: RecordedEvent[]): void {
  const last = new Map<string, number>();
  for (const e of events) {
    const prev = last.get(e.streamId) ?? -1;
    if (e.revision !== prev + 1) {
      throw new Error(`stream ${e.streamId}: revision ${e.revision} delivered after ${prev}`);
    }
    last.set(e.streamId, e.revision);
  }
}

/**
 * The guarantees every EventStore adapter must keep. Each adapter's spec calls this with a
 * factory for a fresh, empty store.
 */
export function describeEventStoreConformance(adapterName: string, create: () => Promise<ConformanceTarget>, options: ConformanceOptions = {}): void {
  describe(`EventStore conformance: ${adapterName}`, () => {
    let target: ConformanceTarget;
    let store: EventStore;
    const stream = () => `test-${randomUUID()}`;

    beforeAll(async () => {
      target = await create();
      store = target.store;
    });
    afterAll(async () => {
      await target?.teardown();
    });

    describe('append and read a stream', () => {
      it('numbers revisions from 0 and reads them forwards and backwards', async () => {
        const s = stream();
        const first = await store.append(s, testEvents(3), { expectedRevision: 'no_stream' });
        expect(first.nextExpectedRevision).toBe(2);
        expect(first.duplicate).toBe(false);
        await store.append(s, testEvents(2), { expectedRevision: 2 });

        const forwards = await store.readStream(s);
        expect(forwards.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(forwards.every((e) => e.streamId === s)).toBe(true);
        const backwards = await store.readStream(s, { direction: 'backwards', maxCount: 2 });
        expect(backwards.map((e) => e.revision)).toEqual([4, 3]);
        const from = await store.readStream(s, { fromRevision: 3 });
        expect(from.map((e) => e.revision)).toEqual([3, 4]);
        const backFrom = await store.readStream(s, { direction: 'backwards', fromRevision: 1 });
        expect(backFrom.map((e) => e.revision)).toEqual([1, 0]);
      });

      it('keeps type, schema version, data and metadata as written', async () => {
        const s = stream();
        const id = randomUUID();
        await store.append(s, [
          {
            id,
            type: 'ChildRegistered',
            schemaVersion: 2,
            data: { fullName: 'Nguyễn Thị Thu Hà', nested: { list: [1, 'hai', null] } },
            metadata: { actor: { userId: 'u1', role: 'data_officer', unit: '00004' }, correlationId: 'c-1', causationId: 'c-0' },
          },
        ]);
        const [e] = await store.readStream(s);
        expect(e).toMatchObject({
          id,
          type: 'ChildRegistered',
          schemaVersion: 2,
          data: { fullName: 'Nguyễn Thị Thu Hà', nested: { list: [1, 'hai', null] } },
          metadata: { actor: { userId: 'u1', role: 'data_officer', unit: '00004' }, correlationId: 'c-1', causationId: 'c-0' },
          revision: 0,
        });
        expect(e!.recordedAt).toBeInstanceOf(Date);
        expect(typeof e!.position).toBe('string');
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.readStream(stream())).toEqual([]);
      });
    });

    describe('expected revision', () => {
      it('no_stream fails on an existing stream, carrying the actual revision', async () => {
        const s = stream();
        await store.append(s, testEvents(2));
        const err = await store.append(s, testEvents(1), { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WrongExpectedVersionError);
        expect((err as WrongExpectedVersionError).actualRevision).toBe(1);
      });

      it('stream_exists fails on a missing stream', async () => {
        const err = await store.append(stream(), testEvents(1), { expectedRevision: 'stream_exists' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WrongExpectedVersionError);
        expect((err as WrongExpectedVersionError).actualRevision).toBeNull();
      });

      it('an exact revision must match; any never checks', async () => {
        const s = stream();
        await store.append(s, testEvents(1), { expectedRevision: 'no_stream' });
        await expect(store.append(s, testEvents(1), { expectedRevision: 5 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await expect(store.append(s, testEvents(1), { expectedRevision: 0 })).resolves.toMatchObject({ nextExpectedRevision: 1 });
        await expect(store.append(s, testEvents(1), { expectedRevision: 'any' })).resolves.toMatchObject({ nextExpectedRevision: 2 });
        await expect(store.append(s, testEvents(1), { expectedRevision: 'stream_exists' })).resolves.toMatchObject({ nextExpectedRevision: 3 });
      });

      it('a rejected append writes nothing', async () => {
        const s = stream();
        await store.append(s, testEvents(1));
        const rejected = testEvents(3);
        await store.append(s, rejected, { expectedRevision: 7 }).catch(() => undefined);
        const read = await store.readStream(s);
        expect(read).toHaveLength(1);
        expect(read.some((e) => ids(rejected).includes(e.id))).toBe(false);
      });

      it('exactly one of 20 racing appends with the same expected revision wins; revisions stay contiguous', async () => {
        const s = stream();
        await store.append(s, testEvents(1), { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.append(s, testEvents(2), { expectedRevision: 0 })));
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(19);
        for (const l of lost) {
          expect(l.reason).toBeInstanceOf(WrongExpectedVersionError);
          expect((l.reason as WrongExpectedVersionError).actualRevision).toBe(2);
        }
        const read = await store.readStream(s);
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('racing no_stream appends to a new stream: exactly one wins', async () => {
        const s = stream();
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.append(s, testEvents(1), { expectedRevision: 'no_stream' })));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(s)).toHaveLength(1);
      });
    });

    it('behaves like a simple model for any sequence of appends, expected revisions and retries (property)', async () => {
      type Step = { stream: number; count: number; expected: 'any' | 'no_stream' | 'stream_exists' | 'exact' | 'stale'; retry: boolean };
      const step = fc.record<Step>({
        stream: fc.integer({ min: 0, max: 2 }),
        count: fc.integer({ min: 0, max: 3 }),
        expected: fc.constantFrom('any', 'no_stream', 'stream_exists', 'exact', 'stale'),
        retry: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
          const prefix = `model-${randomUUID()}-`;
          const model = new Map<number, string[]>(); // stream → event ids in order
          for (const st of steps) {
            const written = model.get(st.stream) ?? [];
            const current = written.length - 1;
            const expected = st.expected === 'exact' ? Math.max(current, 0) : st.expected === 'stale' ? current + 1 : st.expected;
            const ok =
              expected === 'any' ||
              (expected === 'no_stream' && current === -1) ||
              (expected === 'stream_exists' && current >= 0) ||
              (typeof expected === 'number' && expected === current);
            const batch = testEvents(st.count);
            const attempt = () => store.append(`${prefix}${st.stream}`, batch, { expectedRevision: expected });
            if (ok) {
              const res = await attempt();
              written.push(...ids(batch));
              model.set(st.stream, written);
              expect(res.nextExpectedRevision).toBe(written.length - 1);
              if (st.retry && st.count > 0) {
                // The acknowledgement was lost: the same call again writes nothing and succeeds.
                const again = await attempt();
                expect(again).toMatchObject({ duplicate: true, nextExpectedRevision: written.length - 1 });
              }
            } else {
              const err = await attempt().catch((e: unknown) => e);
              expect(err).toBeInstanceOf(WrongExpectedVersionError);
              expect((err as WrongExpectedVersionError).actualRevision).toBe(current < 0 ? null : current);
            }
          }
          for (const [stream, written] of model) {
            expect(ids(await store.readStream(`${prefix}${stream}`))).toEqual(written);
          }
        }),
        { numRuns: 40 },
      );
    });

    describe('idempotency by event id', () => {
      it('the same append retried after a lost acknowledgement is written once and reported as success', async () => {
        const s = stream();
        const batch = testEvents(3);
        const first = await store.append(s, batch, { expectedRevision: 'no_stream' });
        // The client never saw `first`; it retries with the same expected revision.
        const retry = await store.append(s, batch, { expectedRevision: 'no_stream' });
        expect(retry.duplicate).toBe(true);
        expect(retry.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(retry.position).toBe(first.position);
        expect(ids(await store.readStream(s))).toEqual(ids(batch));
      });

      it('concurrent retries of the same batch still write one copy', async () => {
        const s = stream();
        const batch = testEvents(2);
        const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.append(s, batch, { expectedRevision: 'any' })));
        expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
        expect(ids(await store.readStream(s))).toEqual(ids(batch));
      });

      it('the same event id with other content is rejected and writes nothing', async () => {
        const s = stream();
        const original = testEvent(1);
        await store.append(s, [original]);
        const tampered = { ...original, data: { n: 2 } };
        await expect(store.append(s, [tampered])).rejects.toBeInstanceOf(IdempotencyConflictError);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      (options.crossStreamIdempotency === false ? it.skip : it)('the same event id in another stream is rejected', async () => {
        const original = testEvent(1);
        await store.append(stream(), [original]);
        const other = stream();
        await expect(store.append(other, [original])).rejects.toBeInstanceOf(IdempotencyConflictError);
        expect(await store.readStream(other)).toEqual([]);
      });
    });

    describe('global log and subscriptions', () => {
      it('reads the global log from the start and from a checkpoint, each stream in revision order', async () => {
        const s1 = stream();
        const s2 = stream();
        await store.append(s1, testEvents(2));
        await store.append(s2, testEvents(2));
        await store.append(s1, testEvents(1));
        const all: RecordedEvent[] = [];
        let after: Checkpoint | null = null;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 2 });
          if (page.events.length === 0) break;
          all.push(...page.events);
          after = page.checkpoint;
        }
        const mine = all.filter((e) => e.streamId === s1 || e.streamId === s2);
        expect(mine.map((e) => `${e.streamId === s1 ? 'a' : 'b'}${e.revision}`)).toEqual(['a0', 'a1', 'b0', 'b1', 'a2']);
        expectNoDuplicates(ids(all));
      });

      it('catches up, then goes live, filtered by event type and by stream prefix', async () => {
        const prefix = `flt-${randomUUID().slice(0, 8)}-`;
        await store.append(`${prefix}1`, [testEvent(1, 'Wanted'), testEvent(2, 'Unwanted')]);
        const byType = new Recorder();
        const byPrefix = new Recorder();
        const subs = [
          store.subscribe({ handler: byType.handler, filter: { eventTypes: ['Wanted'] } }),
          store.subscribe({ handler: byPrefix.handler, filter: { streamPrefixes: [prefix] } }),
        ];
        await Promise.all(subs.map((s) => s.caughtUp()));
        await store.append(`${prefix}2`, [testEvent(3, 'Wanted')]);
        await store.append(`other-${randomUUID()}`, [testEvent(4, 'Unwanted')]);
        await eventually(() => byPrefix.events.length >= 3 && byType.events.filter((e) => e.streamId.startsWith(prefix)).length >= 2);
        expect(byType.events.every((e) => e.type === 'Wanted')).toBe(true);
        expect(byPrefix.events.every((e) => e.streamId.startsWith(prefix))).toBe(true);
        expect(byPrefix.events.map((e) => e.data['n'])).toEqual([1, 2, 3]);
        await Promise.all(subs.map((s) => s.stop()));
      });

      it('resumes after a checkpoint without repeating or losing an event', async () => {
        const s = stream();
        await store.append(s, testEvents(5));
        const first = new Recorder();
        const sub = store.subscribe({ handler: first.handler, filter: { streamPrefixes: [s] }, batchSize: 2 });
        await eventually(() => first.events.length >= 2);
        await sub.stop();
        const saved = first.checkpoint;
        const seen = first.ids();
        await store.append(s, testEvents(3));
        const second = new Recorder();
        const resumed = store.subscribe({ handler: second.handler, after: saved, filter: { streamPrefixes: [s] } });
        await eventually(() => seen.length + second.events.length >= 8);
        await resumed.stop();
        const all = [...seen, ...second.ids()];
        expect(all).toEqual(ids(await store.readStream(s)));
      });

      it('a handler that fails stops the subscription with its error', async () => {
        const s = stream();
        await store.append(s, testEvents(3));
        const sub = store.subscribe({
          filter: { streamPrefixes: [s] },
          handler: async () => {
            throw new Error('projection bug');
          },
        });
        await expect(sub.done).rejects.toThrow('projection bug');
      });

      it(`hands over from catch-up to live under continuous writes with no gap or duplicate`, async () => {
        const prefix = `handover-${randomUUID().slice(0, 8)}-`;
        let writing = true;
        let written = 0;
        const writer = (async () => {
          while (writing) {
            await store.append(`${prefix}${written % 5}`, testEvents(1 + (written % 3)));
            written++;
          }
        })();
        await eventually(() => written > 50);
        const rec = new Recorder();
        const sub = store.subscribe({ handler: rec.handler, filter: { streamPrefixes: [prefix] }, batchSize: 7 });
        await eventually(() => written > 150);
        writing = false;
        await writer;
        const expected: string[] = [];
        for (let i = 0; i < 5; i++) expected.push(...ids(await store.readStream(`${prefix}${i}`)));
        await eventually(() => rec.events.length >= expected.length, 30_000, 'subscriber to see every event');
        await sub.stop();
        expectNoDuplicates(rec.ids());
        expect(new Set(rec.ids())).toEqual(new Set(expected));
        expectPerStreamOrder(rec.events);
      });

      it(`concurrent writers while several subscribers read live: each sees every event once, all in the same order`, async () => {
        const writers = options.writers ?? 8;
        const appends = options.appendsPerWriter ?? 100;
        const prefix = `stress-${randomUUID().slice(0, 8)}-`;
        const recorders = [new Recorder(), new Recorder(), new Recorder()];
        const subs = recorders.map((r) => store.subscribe({ handler: r.handler, filter: { streamPrefixes: [prefix] } }));
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < appends; i++) await store.append(`${prefix}${w}-${i % 4}`, [testEvent(i)]);
          }),
        );
        const total = writers * appends;
        await eventually(() => recorders.every((r) => r.events.length >= total), 60_000, 'subscribers to catch up');
        await Promise.all(subs.map((s) => s.stop()));
        for (const r of recorders) {
          expect(r.events).toHaveLength(total);
          expectNoDuplicates(r.ids());
          expectPerStreamOrder(r.events);
        }
        expect(recorders[1]!.ids()).toEqual(recorders[0]!.ids());
        expect(recorders[2]!.ids()).toEqual(recorders[0]!.ids());
      });
    });
  });
}

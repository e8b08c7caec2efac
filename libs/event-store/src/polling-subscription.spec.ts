import type { Checkpoint, ReadAllResult, RecordedEvent } from './event-store.port';
import { PollingSubscription, PollingSubscriptionDeps } from './polling-subscription';

const event = (n: number): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'Thing',
  schemaVersion: 1,
  data: { n },
  metadata: {},
  streamId: `s-${n % 3}`,
  revision: 0,
  position: `1:${n}`,
  recordedAt: new Date(0),
});

/** A log of `total` events read by position; every read is recorded with what was handled when it started. */
function fakeLog(total: number) {
  const log = Array.from({ length: total }, (_, i) => event(i + 1));
  const reads: { after: Checkpoint | null; handledBefore: number }[] = [];
  const state = { handled: 0, failReadAfter: null as Checkpoint | null };
  const deps: PollingSubscriptionDeps = {
    readAll: async (after, maxCount): Promise<ReadAllResult> => {
      reads.push({ after, handledBefore: state.handled });
      await new Promise((r) => setTimeout(r, 1));
      if (after !== null && after === state.failReadAfter) throw new Error('read failed');
      const from = after === null ? 0 : Number(after.split(':')[1]);
      const events = log.slice(from, from + maxCount);
      return { events, checkpoint: events.length > 0 ? events[events.length - 1]!.position : after };
    },
    generation: () => 0,
    wait: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  return { deps, reads, state };
}

describe('PollingSubscription read-ahead', () => {
  it('reads the next full batch while the handler runs, and hands batches over in order, each after the one before resolved', async () => {
    const { deps, reads, state } = fakeLog(23);
    const seen: number[] = [];
    let inHandler = 0;
    const sub = new PollingSubscription(deps, {
      after: null,
      batchSize: 5,
      pollIntervalMs: 10,
      readAhead: true,
      handler: async (events, checkpoint) => {
        expect(inHandler).toBe(0);
        inHandler++;
        expect(checkpoint).toBe(events[events.length - 1]!.position);
        await new Promise((r) => setTimeout(r, 5));
        seen.push(...events.map((e) => e.data['n'] as number));
        state.handled += events.length;
        inHandler--;
      },
    });
    await sub.caughtUp();
    await sub.stop();
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    // The reads after 5, 10, 15 and 20 events started while the batch ending there was still being handled.
    for (const after of ['1:5', '1:10', '1:15', '1:20']) {
      const read = reads.find((r) => r.after === after)!;
      expect(read.handledBefore).toBe(Number(after.split(':')[1]) - 5);
    }
  });

  it('does not read ahead after a batch that was not full, nor without the option', async () => {
    for (const readAhead of [true, false]) {
      const { deps, reads, state } = fakeLog(12);
      const sub = new PollingSubscription(deps, {
        after: null,
        batchSize: readAhead ? 20 : 5,
        pollIntervalMs: 10,
        readAhead,
        handler: async (events) => {
          await new Promise((r) => setTimeout(r, 2));
          state.handled += events.length;
        },
      });
      await sub.caughtUp();
      await sub.stop();
      for (const r of reads) expect(r.handledBefore).toBe(r.after === null ? 0 : Number(r.after.split(':')[1]));
    }
  });

  it('stops with the handler error and never hands over the batch read ahead', async () => {
    const { deps } = fakeLog(20);
    const seen: number[] = [];
    const sub = new PollingSubscription(deps, {
      after: null,
      batchSize: 5,
      pollIntervalMs: 10,
      readAhead: true,
      handler: async (events) => {
        if (events[0]!.data['n'] === 6) throw new Error('handler failed');
        seen.push(...events.map((e) => e.data['n'] as number));
      },
    });
    await expect(sub.done).rejects.toThrow('handler failed');
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('stops with a failed read ahead once the batch before it was handled', async () => {
    const { deps, state } = fakeLog(20);
    state.failReadAfter = '1:10';
    const seen: number[] = [];
    const sub = new PollingSubscription(deps, {
      after: null,
      batchSize: 5,
      pollIntervalMs: 10,
      readAhead: true,
      handler: async (events) => {
        seen.push(...events.map((e) => e.data['n'] as number));
      },
    });
    await expect(sub.done).rejects.toThrow('read failed');
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });
});

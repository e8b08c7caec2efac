import fc from 'fast-check';
import { PartnerCloudEvent } from './cloudevent';
import { PartnerRelay, PartnerSink, RelayCheckpoints, RelayMessage, RelaySource } from './partner-relay';

const msg = (n: number, key: string): RelayMessage => ({
  position: String(n),
  event: {
    specversion: '1.0',
    id: `e${n}`,
    source: 's',
    type: 'vn.gov.childledger.CaseClosed.v1',
    subject: key,
    time: '2025-08-01T00:00:00.000Z',
    datacontenttype: 'application/json',
    dataschema: 'x',
    data: { n },
  } satisfies PartnerCloudEvent,
});

/** An in-memory stream that can grow while the relay runs. */
class ArraySource implements RelaySource {
  constructor(readonly messages: RelayMessage[]) {}
  async read(_p: string, after: string | null, limit: number) {
    const from = after === null ? 0 : this.messages.findIndex((m) => m.position === after) + 1;
    return this.messages.slice(from, from + limit);
  }
  async wait(_p: string, ms: number) {
    await new Promise((r) => setTimeout(r, Math.min(ms, 5)));
  }
}

class MemoryCheckpoints implements RelayCheckpoints {
  readonly saved: string[] = [];
  async load() {
    return this.saved[this.saved.length - 1] ?? null;
  }
  async save(_n: string, p: string) {
    this.saved.push(p);
  }
}

/** A sink that records what it acknowledged; `failEvery` makes every nth send fail after delivering part of the batch. */
class RecordingSink implements PartnerSink {
  readonly delivered: RelayMessage[] = [];
  acked = 0;
  calls = 0;
  constructor(private readonly opts: { failEvery?: number; ackDelayMs?: number; onBeforeAck?: () => void } = {}) {}
  async send(_p: string, messages: readonly RelayMessage[]) {
    this.calls++;
    if (this.opts.failEvery && this.calls % this.opts.failEvery === 0) {
      // The broker took the first half, then the connection broke: the relay never gets an ack.
      this.delivered.push(...messages.slice(0, Math.ceil(messages.length / 2)));
      throw new Error('broker unavailable');
    }
    this.delivered.push(...messages);
    this.opts.onBeforeAck?.();
    if (this.opts.ackDelayMs) await new Promise((r) => setTimeout(r, this.opts.ackDelayMs));
    this.acked += messages.length;
  }
}

describe(PartnerRelay.name, () => {
  it('moves the checkpoint only after the sink acknowledged the batch', async () => {
    const source = new ArraySource(Array.from({ length: 10 }, (_, i) => msg(i + 1, 'k')));
    const checkpoints = new MemoryCheckpoints();
    let savedWhenSent: number[] = [];
    const sink = new RecordingSink({ ackDelayMs: 20, onBeforeAck: () => (savedWhenSent = [...savedWhenSent, checkpoints.saved.length]) });
    const relay = new PartnerRelay(source, sink, checkpoints, { partnerId: 'p', batchSize: 4 });
    expect(await relay.drain()).toBe(10);
    // While each of the 3 batches waited for its (late) ack, the checkpoint had not moved past the previous batch.
    expect(savedWhenSent).toEqual([0, 1, 2]);
    expect(checkpoints.saved).toEqual(['4', '8', '10']);
  });

  it('a failed send leaves the checkpoint where it was and the batch is sent again, whole and in order', async () => {
    const source = new ArraySource(Array.from({ length: 9 }, (_, i) => msg(i + 1, 'k')));
    const checkpoints = new MemoryCheckpoints();
    const sink = new RecordingSink({ failEvery: 2 });
    const relay = new PartnerRelay(source, sink, checkpoints, { partnerId: 'p', batchSize: 3 });
    await expect(relay.drain()).rejects.toThrow('broker unavailable');
    expect(checkpoints.saved).toEqual(['3']);
    await relay.drain().catch(() => undefined);
    await relay.drain().catch(() => undefined);
    await relay.drain();
    expect(checkpoints.saved[checkpoints.saved.length - 1]).toBe('9');
    expect(sink.acked).toBe(9);
  });

  it('property: with random failures and restarts, every message reaches the sink, per key in order once duplicates (same id, same content) are dropped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 2, max: 5 }),
        async (keys, batchSize, failEvery) => {
          const source = new ArraySource(keys.map((k, i) => msg(i + 1, k)));
          const checkpoints = new MemoryCheckpoints();
          const sink = new RecordingSink({ failEvery });
          // Each "restart" is a new relay over the same checkpoints, as after a crash.
          for (let restarts = 0; restarts < 1000; restarts++) {
            const relay = new PartnerRelay(source, sink, checkpoints, { partnerId: 'p', batchSize });
            try {
              await relay.drain();
              break;
            } catch {
              /* crashed: restart */
            }
          }
          const firstSeen = new Map<string, RelayMessage>();
          for (const m of sink.delivered) {
            const seen = firstSeen.get(m.event.id);
            if (seen) expect(seen).toEqual(m);
            else firstSeen.set(m.event.id, m);
          }
          for (const key of new Set(keys)) {
            const expected = source.messages.filter((m) => m.event.subject === key).map((m) => m.event.id);
            const got = [...firstSeen.values()].filter((m) => m.event.subject === key).map((m) => m.event.id);
            expect(got).toEqual(expected);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('runs as a loop: picks up messages appended later, retries after failures, stops cleanly', async () => {
    const source = new ArraySource([msg(1, 'k')]);
    const checkpoints = new MemoryCheckpoints();
    const sink = new RecordingSink({ failEvery: 3 });
    const errors: unknown[] = [];
    const relay = new PartnerRelay(source, sink, checkpoints, { partnerId: 'p', batchSize: 2, retryDelayMs: 1, idleWaitMs: 5, onError: (e) => errors.push(e) });
    relay.start();
    for (let i = 2; i <= 12; i++) {
      source.messages.push(msg(i, 'k'));
      await new Promise((r) => setTimeout(r, 3));
    }
    const until = Date.now() + 5000;
    while (checkpoints.saved[checkpoints.saved.length - 1] !== '12' && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await relay.stop();
    expect(checkpoints.saved[checkpoints.saved.length - 1]).toBe('12');
    expect(errors.length).toBeGreaterThan(0);
  });
});

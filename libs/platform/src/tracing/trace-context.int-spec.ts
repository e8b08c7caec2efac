import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore, NewEvent, RecordedEvent } from '@childledger/event-store';
import type { Pool } from 'pg';
import { TracingEventStore } from './trace-context';
import { startTracing, stopTracing, tracingStarted } from './tracing';

const event = (type = 'Tested', data: Record<string, unknown> = { n: 1 }): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { correlationId: 'corr-1' },
});
const tracer = () => trace.getTracer('test');

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('trace context in the event log (in-memory span exporter, real PostgreSQL)', () => {
  const memory = new InMemorySpanExporter();
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    expect(startTracing('trace-context-test', { spanProcessors: [new SimpleSpanProcessor(memory)] })).toBe(true);
    expect(tracingStarted()).toBe(true);
    db = await createTestDatabase(EVENT_STORE_MIGRATIONS);
    pool = createPool(db.url, { max: 4 });
    store = new TracingEventStore(createPostgresEventStore({ pool, pollIntervalMs: 20 }));
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
    await stopTracing();
    expect(tracingStarted()).toBe(false);
  });

  const metadataOf = async (id: string) =>
    (await pool.query<{ metadata: Record<string, unknown> }>('SELECT metadata FROM events WHERE event_id = $1', [id])).rows[0]!.metadata;

  it('writes the active span’s traceparent into each appended event’s metadata, beside what the writer set', async () => {
    const e = event();
    const ctx = await tracer().startActiveSpan('command', async (span) => {
      await store.append(`test-${randomUUID()}`, [e]);
      span.end();
      return span.spanContext();
    });
    expect(await metadataOf(e.id)).toEqual({ correlationId: 'corr-1', traceparent: `00-${ctx.traceId}-${ctx.spanId}-01` });
  });

  it('does the same for appends inside a caller’s transaction', async () => {
    const e = event();
    const ctx = await tracer().startActiveSpan('command in a transaction', async (span) => {
      await store.capabilities!.appendInTransaction!.transaction((tx) => tx.append(`test-${randomUUID()}`, [e]));
      span.end();
      return span.spanContext();
    });
    expect((await metadataOf(e.id))['traceparent']).toBe(`00-${ctx.traceId}-${ctx.spanId}-01`);
  });

  it('writes nothing when no span is active, and keeps a traceparent the writer set', async () => {
    const bare = event();
    await store.append(`test-${randomUUID()}`, [bare]);
    expect(await metadataOf(bare.id)).toEqual({ correlationId: 'corr-1' });
    const own = { ...event(), metadata: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } };
    await tracer().startActiveSpan('other', async (span) => {
      await store.append(`test-${randomUUID()}`, [own]);
      span.end();
    });
    expect((await metadataOf(own.id))['traceparent']).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });

  it('runs each subscription batch in a consumer span of its own, linked to the spans its events were written under; what the handler appends carries that span', async () => {
    const stream = `linked-${randomUUID()}`;
    const writes = await Promise.all(
      ['first command', 'second command'].map((name) =>
        tracer().startActiveSpan(name, async (span) => {
          await store.append(`${stream}-${name.split(' ')[0]}`, [event('Linked')]);
          span.end();
          return span.spanContext();
        }),
      ),
    );
    memory.reset();
    const seen: RecordedEvent[] = [];
    const followUps: string[] = [];
    const sub = store.subscribe({
      name: 'test-sub',
      filter: { eventTypes: ['Linked'] },
      handler: async (events) => {
        seen.push(...events);
        // A subscriber that writes (the identity adapter's decisions): its events carry the batch's span.
        const followUp = event('FollowUp');
        followUps.push(followUp.id);
        await store.append(`followup-${randomUUID()}`, [followUp]);
      },
    });
    try {
      await until('both events delivered', () => (seen.length >= 2 ? true : undefined));
      const spans = await until('the batch spans', () => {
        const found = memory.getFinishedSpans().filter((s) => s.name === 'subscription test-sub');
        return found.reduce((n, s) => n + s.links.length, 0) >= 2 ? found : undefined;
      });
      for (const s of spans) {
        expect(s.kind).toBe(SpanKind.CONSUMER);
        // Its own trace: a batch is caused by many commands, each a link.
        expect(s.parentSpanContext).toBeUndefined();
        expect(s.attributes['childledger.subscription']).toBe('test-sub');
      }
      const linked = spans.flatMap((s) => s.links.map((l) => `${l.context.traceId}/${l.context.spanId}`)).sort();
      expect(linked).toEqual(writes.map((w) => `${w.traceId}/${w.spanId}`).sort());
      expect(spans.flatMap((s) => s.links.map((l) => l.attributes?.['childledger.event_type']))).toEqual(['Linked', 'Linked']);
      const followUpParent = (await metadataOf(followUps[0]!))['traceparent'];
      expect(spans.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`)).toContain(followUpParent);
    } finally {
      await sub.stop();
    }
  });

  it('marks a failing batch’s span as an error without the error’s message (which may quote a value)', async () => {
    memory.reset();
    await store.append(`failing-${randomUUID()}`, [event('Failing')]);
    const sub = store.subscribe({
      name: 'failing-sub',
      filter: { eventTypes: ['Failing'] },
      handler: async () => {
        throw new TypeError('cannot read "Nguyễn Văn A"');
      },
    });
    await expect(sub.done).rejects.toThrow(TypeError);
    const span = memory.getFinishedSpans().find((s) => s.name === 'subscription failing-sub')!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(JSON.stringify(span.events)).toContain('TypeError');
    expect(JSON.stringify(span.events)).not.toContain('Nguyễn');
  });
});

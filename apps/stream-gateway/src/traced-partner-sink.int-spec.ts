// A command's trace reaches its delivery to a partner: commands appended under spans of their own,
// the partner projection (real PostgreSQL) keeping each event's traceparent in the outbox, the
// relay reading the outbox and sending through TracedPartnerSink. Spans in an in-memory exporter.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { eventually } from '@childledger/event-store/testing';
import { PgPartnerFeed, PgPartnerProjection, PgRelayCheckpoints } from '@childledger/partner-outbox';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { childRegistered, FileSink, nationalIdLinked } from '@childledger/partner-outbox/testing';
import { parseAgreement, PartnerProjector, PartnerRelay, Pseudonymiser } from '@childledger/partner-streams';
import { startTracing, stopTracing, TracingEventStore } from '@childledger/platform';
import { TracedPartnerSink } from './traced-partner-sink';

const agreement = parseAgreement({
  id: 'moh',
  name: 'Health',
  sector: 'health',
  jurisdictions: ['*'],
  channels: ['kafka'],
  events: { ChildRegistered: ['sex', 'personal.dateOfBirth'], NationalIdLinked: ['linkedAt'] },
});

describe('partner delivery in the command’s trace (in-memory span exporter, real PostgreSQL)', () => {
  const memory = new InMemorySpanExporter();
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;
  let dir: string;

  beforeAll(async () => {
    expect(startTracing('traced-sink-test', { spanProcessors: [new SimpleSpanProcessor(memory)] })).toBe(true);
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    pool = createPool(db.url, { max: 6 });
    store = new TracingEventStore(createPostgresEventStore({ pool, pollIntervalMs: 20 }));
    dir = mkdtempSync(path.join(tmpdir(), 'traced-sink-'));
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
    await stopTracing();
    rmSync(dir, { recursive: true, force: true });
  });

  it('links the relay’s send span to each command behind its batch, in a trace of its own, with no event content', async () => {
    // Three commands, each under its own span; one command appends two events (one link for both).
    const commands: { traceId: string; spanId: string }[] = [];
    for (let i = 0; i < 3; i++) {
      await trace.getTracer('test').startActiveSpan(`command ${i}`, async (span) => {
        const child = `child-${i}`;
        await store.append(
          `child-${child}`,
          i === 2 ? [childRegistered(child, '01001', i), nationalIdLinked(child, i)] : [childRegistered(child, '01001', i)],
          {
            expectedRevision: 'no_stream',
          },
        );
        commands.push({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
        span.end();
      });
    }
    // An event appended with no active span: its outbox row has no traceparent, and no link.
    await store.append('child-child-untraced', [childRegistered('child-untraced', '01001', 9)], { expectedRevision: 'no_stream' });

    const projection = new PgPartnerProjection(
      pool,
      store,
      new PartnerProjector(agreement, new Pseudonymiser('secret-of-moh-0123456789'), (c) => c.slice(0, 2)),
    );
    await (await projection.start()).caughtUp();
    const feed = new PgPartnerFeed(pool);
    await eventually(async () => (await feed.read('moh', null, 100)).length === 5, 10_000, 'five outbox rows');
    await projection.stop();
    const rows = await pool.query<{ traceparent: string | null; event: Record<string, unknown> }>(
      `SELECT traceparent, event FROM partner_outbox WHERE partner_id = 'moh' ORDER BY seq`,
    );
    expect(rows.rows.map((r) => r.traceparent?.split('-')[1] ?? null)).toEqual([...commands.map((c) => c.traceId), commands[2]!.traceId, null]);
    // The served CloudEvent carries no trace context.
    expect(JSON.stringify(rows.rows.map((r) => r.event))).not.toMatch(/traceparent|[0-9a-f]{32}-[0-9a-f]{16}/);

    memory.reset();
    const file = path.join(dir, 'sent.jsonl');
    const relay = new PartnerRelay(feed, new TracedPartnerSink(new FileSink(file), 'kafka'), new PgRelayCheckpoints(pool), {
      partnerId: 'moh',
      batchSize: 100,
    });
    expect(await relay.drain()).toBe(5);
    const sent = readFileSync(file, 'utf8').trim().split('\n');
    expect(sent).toHaveLength(5);
    // What the partner receives has no trace context either.
    expect(sent.join('\n')).not.toContain('traceparent');

    const sends = memory.getFinishedSpans().filter((s: ReadableSpan) => s.name === 'partner send moh');
    expect(sends).toHaveLength(1);
    const send = sends[0]!;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanContext).toBeUndefined();
    expect(commands.map((c) => c.traceId)).not.toContain(send.spanContext().traceId);
    expect(send.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId }))).toEqual(commands);
    expect(send.attributes).toEqual({
      'childledger.partner': 'moh',
      'childledger.partner.channel': 'kafka',
      'messaging.batch.message_count': 5,
      'childledger.outbox.first': expect.stringMatching(/^\d+$/),
      'childledger.outbox.last': expect.stringMatching(/^\d+$/),
    });
  });

  it('marks a failed send as an error span naming the error, and the relay sends the batch again', async () => {
    memory.reset();
    let fail = true;
    const flaky = {
      send: async () => {
        if (fail) {
          fail = false;
          throw new Error('broker unavailable for child-0');
        }
      },
    };
    const relay = new PartnerRelay(new PgPartnerFeed(pool), new TracedPartnerSink(flaky, 'kafka'), new PgRelayCheckpoints(pool), {
      partnerId: 'moh',
      name: 'partner-relay:moh:retry-test',
    });
    await expect(relay.drain()).rejects.toThrow('broker unavailable');
    expect(await relay.drain()).toBe(5);
    const sends = memory.getFinishedSpans().filter((s) => s.name === 'partner send moh');
    expect(sends.map((s) => s.status.code)).toEqual([2, 0]);
    // The exception event names the error's class only: its message could carry personal data.
    expect(JSON.stringify(sends[0]!.events)).not.toContain('child-0');
  });
});

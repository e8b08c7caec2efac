import { context, Link, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventStoreCapabilities,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '@childledger/event-store';

const tracer = () => trace.getTracer('childledger-event-store');

/** Most links one batch span carries (a projection batch can hold hundreds of events of one import). */
export const MAX_BATCH_LINKS = 128;

/**
 * The W3C trace context (`traceparent`, `tracestate`) of the active span, added to each event's
 * metadata, unless the writer set one; events unchanged when no span is active or tracing is off.
 */
export function withTraceContext(events: readonly NewEvent[]): readonly NewEvent[] {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier['traceparent']) return events;
  const traceContext = { traceparent: carrier['traceparent'], ...(carrier['tracestate'] ? { tracestate: carrier['tracestate'] } : {}) };
  return events.map((e) => (e.metadata?.['traceparent'] ? e : { ...e, metadata: { ...e.metadata, ...traceContext } }));
}

/** The span contexts the events were written under, as links (distinct, at most MAX_BATCH_LINKS). */
export function traceLinks(events: readonly RecordedEvent[]): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const e of events) {
    const traceparent = e.metadata?.['traceparent'];
    if (typeof traceparent !== 'string' || seen.has(traceparent)) continue;
    seen.add(traceparent);
    const tracestate = e.metadata?.['tracestate'];
    const carrier = { traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) };
    const span = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
    if (span && trace.isSpanContextValid(span)) links.push({ context: span, attributes: { 'childledger.event_type': e.type } });
    if (links.length >= MAX_BATCH_LINKS) break;
  }
  return links;
}

/**
 * The event store with trace context: appends carry the active span's `traceparent` in each event's
 * metadata; every subscription batch runs in a consumer span of its own (`subscription <name>`)
 * linked to the spans its events were written under, so a command's trace leads to its
 * projections, partner streams and identity decisions, and what the handler does (queries, calls to
 * the national database, the events it appends) is part of that span. Capabilities forwarded.
 */
export class TracingEventStore implements EventStore {
  readonly capabilities: EventStoreCapabilities;

  constructor(private readonly inner: EventStore) {
    const transactional = inner.capabilities?.appendInTransaction;
    this.capabilities = {
      ...inner.capabilities,
      ...(transactional
        ? {
            appendInTransaction: {
              transaction: (work) =>
                transactional.transaction((tx) =>
                  work({ ...tx, append: (streamId, events, options) => tx.append(streamId, withTraceContext(events), options) }),
                ),
            },
          }
        : {}),
    };
  }

  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.inner.append(streamId, withTraceContext(events), options);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    return this.inner.readAll(options);
  }

  subscribe(options: SubscribeOptions): Subscription {
    const name = options.name ?? 'subscription';
    return this.inner.subscribe({
      ...options,
      handler: (events, checkpoint) =>
        tracer().startActiveSpan(
          `subscription ${name}`,
          {
            kind: SpanKind.CONSUMER,
            links: traceLinks(events),
            attributes: { 'childledger.subscription': name, 'messaging.batch.message_count': events.length },
          },
          // A batch starts its own trace: it is caused by many commands, each a link.
          ROOT_CONTEXT,
          async (span) => {
            try {
              await options.handler(events, checkpoint);
            } catch (err) {
              span.recordException(err instanceof Error ? { name: err.name, message: err.name } : { name: 'Error', message: 'Error' });
              span.setStatus({ code: SpanStatusCode.ERROR });
              throw err;
            } finally {
              span.end();
            }
          },
        ),
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

import { Attributes, context, Link, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
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
  return distinctLinks(
    events.map((e) => ({ traceparent: e.metadata?.['traceparent'], tracestate: e.metadata?.['tracestate'], attributes: { 'childledger.event_type': e.type } })),
  );
}

/**
 * Links to the commands behind what is delivered (a Kafka batch, a feed page): each `traceparent`
 * as its events' metadata carried it (distinct, malformed and missing ones left out, at most
 * MAX_BATCH_LINKS).
 */
export function traceparentLinks(traceparents: Iterable<string | null | undefined>): Link[] {
  return distinctLinks([...traceparents].map((traceparent) => ({ traceparent })));
}

function distinctLinks(carriers: readonly { traceparent: unknown; tracestate?: unknown; attributes?: Link['attributes'] }[]): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const { traceparent, tracestate, attributes } of carriers) {
    if (typeof traceparent !== 'string' || seen.has(traceparent)) continue;
    seen.add(traceparent);
    const carrier = { traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) };
    const span = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
    if (span && trace.isSpanContextValid(span)) links.push({ context: span, ...(attributes ? { attributes } : {}) });
    if (links.length >= MAX_BATCH_LINKS) break;
  }
  return links;
}

export interface LinkedSpanOptions {
  kind: SpanKind;
  links: Link[];
  attributes?: Attributes;
  /** Start a trace of its own (a batch caused by many commands, each a link) instead of a child of the active span. */
  root?: boolean;
}

/**
 * Runs `work` in a span linked to the spans that caused it. A failure marks the span as an error
 * with the error's name only (messages may carry personal data) and is rethrown.
 */
export function inLinkedSpan<T>(name: string, options: LinkedSpanOptions, work: () => Promise<T>): Promise<T> {
  const run = async (span: Span): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      span.recordException(err instanceof Error ? { name: err.name, message: err.name } : { name: 'Error', message: 'Error' });
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  };
  const spanOptions = { kind: options.kind, links: options.links, ...(options.attributes ? { attributes: options.attributes } : {}) };
  return options.root ? tracer().startActiveSpan(name, spanOptions, ROOT_CONTEXT, run) : tracer().startActiveSpan(name, spanOptions, run);
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
        inLinkedSpan(
          `subscription ${name}`,
          {
            kind: SpanKind.CONSUMER,
            links: traceLinks(events),
            attributes: { 'childledger.subscription': name, 'messaging.batch.message_count': events.length },
            root: true,
          },
          () => options.handler(events, checkpoint),
        ),
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

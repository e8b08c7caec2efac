import { SpanKind } from '@opentelemetry/api';
import type { PartnerSink, RelayMessage } from '@childledger/partner-streams';
import { inLinkedSpan, traceparentLinks } from '@childledger/platform';

/**
 * A partner sink whose every send is a producer span (`partner send <partner>`) of its own trace,
 * linked to the commands behind the batch's events (the `traceparent` the outbox kept for each), so
 * a command's trace leads to its delivery to the partner. The Kafka client's own spans, when
 * instrumented, are children of it. No event content in the span: the partner, the count, the
 * outbox positions.
 */
export class TracedPartnerSink implements PartnerSink {
  constructor(
    private readonly inner: PartnerSink,
    private readonly channel: string,
  ) {}

  send(partnerId: string, messages: readonly RelayMessage[]): Promise<void> {
    return inLinkedSpan(
      `partner send ${partnerId}`,
      {
        kind: SpanKind.PRODUCER,
        links: traceparentLinks(messages.map((m) => m.traceparent)),
        attributes: deliveryAttributes(
          partnerId,
          this.channel,
          messages.map((m) => m.position),
        ),
        root: true,
      },
      () => this.inner.send(partnerId, messages),
    );
  }
}

/** What a delivery span says: which partner and channel, how many events, which outbox positions. */
export function deliveryAttributes(partnerId: string, channel: string, positions: readonly (string | bigint)[]): Record<string, string | number> {
  return {
    'childledger.partner': partnerId,
    'childledger.partner.channel': channel,
    'messaging.batch.message_count': positions.length,
    ...(positions.length > 0 ? { 'childledger.outbox.first': String(positions[0]), 'childledger.outbox.last': String(positions[positions.length - 1]) } : {}),
  };
}

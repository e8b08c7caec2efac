import { randomUUID } from 'node:crypto';
import { CloudEvent, HTTP, Kafka, KafkaMessage } from 'cloudevents';
import type { NewEvent } from '@childledger/event-store';
import type { EventType } from '@childledger/domain';
import { toKafkaMessage } from '@childledger/partner-outbox';
import {
  caseOpened,
  childPersonalDataErased,
  childRegistered,
  interventionDelivered,
  interventionPlanned,
  nationalIdLinked,
  residenceChanged,
  specialCircumstanceIdentified,
} from '@childledger/partner-outbox/testing';
import {
  InMemoryRoutingState,
  parseAgreement,
  PartnerCloudEvent,
  PartnerProjector,
  Pseudonymiser,
  SHAREABLE_FIELDS,
  SourceEvent,
  TOMBSTONE_TYPE,
} from '@childledger/partner-streams';

// Real partner events: domain events as the registry records them, through the projector the
// gateway runs, for an agreement that names every shareable field (so every data shape is present).
const agreement = parseAgreement({
  id: 'contract-check',
  name: 'Contract check',
  sector: 'health',
  jurisdictions: ['*'],
  channels: ['http', 'kafka'],
  events: Object.fromEntries(Object.entries(SHAREABLE_FIELDS).map(([type, fields]) => [type, Object.keys(fields)])) as Partial<Record<EventType, string[]>>,
});

function recorded(events: NewEvent[]): SourceEvent[] {
  const t0 = Date.UTC(2025, 7, 1, 3);
  return events.map((e, i) => {
    const data = e.data as Record<string, unknown>;
    const streamId = typeof data['caseId'] === 'string' && e.type !== 'ChildRegistered' ? `case-${data['caseId']}` : `child-${data['childId']}`;
    return { id: e.id ?? randomUUID(), type: e.type, schemaVersion: 1, data, metadata: e.metadata ?? {}, streamId, recordedAt: new Date(t0 + i * 1000) };
  });
}

const child = randomUUID();
const caseId = randomUUID();
const log = recorded([
  childRegistered(child, '01001', 1),
  residenceChanged(child, '01001', '79001', 2),
  specialCircumstanceIdentified(child, 3, 3),
  nationalIdLinked(child, 4),
  caseOpened(caseId, child, 5),
  interventionPlanned(caseId, 'health', 6),
  interventionDelivered(caseId, 'health', 7),
  childPersonalDataErased(child, 8),
]);
const events: PartnerCloudEvent[] = new PartnerProjector(agreement, new Pseudonymiser('contract-check-secret-0000'), (c) => c.slice(0, 2))
  .project(log, new InMemoryRoutingState())
  .entries.map((x) => x.event);

/** Every attribute of the partner event, as the SDK's event reads it back. */
function attributesOf(e: CloudEvent<unknown>): Record<string, unknown> {
  return {
    id: e.id,
    source: e.source,
    type: e.type,
    specversion: e.specversion,
    subject: e.subject,
    time: e.time,
    datacontenttype: e.datacontenttype,
    dataschema: e.dataschema,
    data: e.data ?? null,
  };
}

/** The SDK's own check (its JSON Schema of CloudEvents 1.0); throws a ValidationError naming what is wrong. */
function expectValid(e: CloudEvent<unknown>): void {
  expect(() => e.validate()).not.toThrow();
  expect(e.validate()).toBe(true);
}

describe('partner CloudEvents through the cloudevents SDK', () => {
  it('the projector produced every kind of event under test, the tombstone included', () => {
    expect(events.map((e) => e.type.split('.')[3])).toEqual([
      'ChildRegistered',
      'ResidenceChanged',
      'SpecialCircumstanceIdentified',
      'NationalIdLinked',
      'CaseOpened',
      'InterventionPlanned',
      'InterventionDelivered',
      'ChildPersonalDataErased',
      'ChildTombstone',
    ]);
    expect(events[0]!.data!['personal']).toMatchObject({ fullName: expect.any(String) });
    expect(events.at(-1)!.type).toBe(TOMBSTONE_TYPE);
  });

  describe('HTTP structured mode (the feed and SSE)', () => {
    // The feed page as FeedController.events writes it: each event's JSON text joined into `events`.
    const page = `{"events":[${events.map((e) => JSON.stringify(e)).join(',')}],"next":"cursor"}`;
    const served = (JSON.parse(page) as { events: unknown[] }).events;

    it.each(events.map((e, i) => [e.type, i] as const))('%s: HTTP.toEvent reads it back valid, every attribute unchanged', (_type, i) => {
      const body = JSON.stringify(served[i]);
      const parsed = HTTP.toEvent({ headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body });
      expect(Array.isArray(parsed)).toBe(false);
      const e = parsed as CloudEvent<unknown>;
      expectValid(e);
      expect(attributesOf(e)).toEqual(events[i]);
    });

    it("a page's events are a CloudEvents JSON batch (application/cloudevents-batch+json)", () => {
      const parsed = HTTP.toEvent({ headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(served) });
      expect(Array.isArray(parsed)).toBe(true);
      const batch = parsed as CloudEvent<unknown>[];
      batch.forEach(expectValid);
      expect(batch.map(attributesOf)).toEqual(events);
    });

    it.each([
      ['a dataschema that is not a URI', { dataschema: 'schemas/CaseClosed/v1.json' }],
      ['no source', { source: '' }],
      ['a type that is not a string', { type: 5 }],
    ])('validate() refuses an event with %s (the check can fail)', (_what, change) => {
      const e = HTTP.toEvent({
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({ ...events[0], ...change }),
      }) as CloudEvent<unknown>;
      expect(() => e.validate()).toThrow('invalid payload');
    });
  });

  describe('Kafka binary mode (KafkaPartnerSink)', () => {
    const data = events.filter((e) => e.type !== TOMBSTONE_TYPE);

    it.each(data.map((e, i) => [e.type, i] as const))('%s: Kafka.toEvent reads the sink’s message back valid, every attribute unchanged', (_type, i) => {
      const message = toKafkaMessage(data[i]!);
      expect(message.headers).toMatchObject({ ce_specversion: '1.0', 'content-type': 'application/json' });
      const e = Kafka.toEvent(message as unknown as KafkaMessage<string>) as CloudEvent<unknown>;
      expectValid(e);
      expect(attributesOf(e)).toEqual(data[i]);
      // The record key is the child's key (the binding's partitionkey).
      expect(e['partitionkey']).toBe(data[i]!.subject);
    });

    it('a tombstone: null value (compaction forgets the key), headers a valid CloudEvent with null data', () => {
      const tombstone = events.find((e) => e.type === TOMBSTONE_TYPE)!;
      const message = toKafkaMessage(tombstone);
      expect(message.value).toBeNull();
      expect(message.key).toBe(tombstone.subject);
      // The SDK reads no message with a null value ("Value is null or undefined"); its headers are
      // checked as the event they carry, with the JSON null the value stands for.
      expect(() => Kafka.toEvent(message as unknown as KafkaMessage<string>)).toThrow(/null/);
      const e = Kafka.toEvent({ ...(message as unknown as KafkaMessage<string>), value: 'null' } as KafkaMessage<string>) as CloudEvent<unknown>;
      expectValid(e);
      expect(attributesOf(e)).toEqual(tombstone);
    });
  });
});

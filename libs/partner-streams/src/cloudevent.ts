/** CloudEvents 1.0 (structured JSON form, as the HTTP feed serves it). */
export interface PartnerCloudEvent {
  specversion: '1.0';
  /** The store's event id (a tombstone: `<erasure event id>.tombstone`): drop duplicates by it. */
  id: string;
  source: string;
  /** `vn.gov.childledger.<EventType>.v<N>`. */
  type: string;
  /** The partner's pseudonymous key of the child. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  /** `null` only for a tombstone. */
  data: Record<string, unknown> | null;
}

export const CLOUDEVENT_TYPE_PREFIX = 'vn.gov.childledger';
export const CLOUDEVENT_SOURCE = 'urn:childledger:registry';
export const TOMBSTONE_TYPE = `${CLOUDEVENT_TYPE_PREFIX}.ChildTombstone.v1`;
export const SCHEMA_BASE = 'https://schemas.childledger.gov.vn/partners';

/** Partner-facing version of each event type: bumped when its partner schema changes incompatibly. */
export const PARTNER_TYPE_VERSION = 1;

export const cloudEventType = (eventType: string, version = PARTNER_TYPE_VERSION): string => `${CLOUDEVENT_TYPE_PREFIX}.${eventType}.v${version}`;
export const dataSchemaUrl = (eventType: string, version = PARTNER_TYPE_VERSION): string => `${SCHEMA_BASE}/${eventType}/v${version}.json`;

export const isTombstone = (e: PartnerCloudEvent): boolean => e.type === TOMBSTONE_TYPE;

/** A Kafka record in CloudEvents binary mode: attributes in `ce_*` headers, data as the value. */
export interface PartnerKafkaRecord {
  key: string;
  /** `null` for a tombstone, so a compacted topic forgets the key. */
  value: string | null;
  headers: Record<string, string>;
}

export function toKafkaRecord(e: PartnerCloudEvent): PartnerKafkaRecord {
  return {
    key: e.subject,
    value: e.data === null ? null : JSON.stringify(e.data),
    headers: {
      ce_specversion: e.specversion,
      ce_id: e.id,
      ce_source: e.source,
      ce_type: e.type,
      ce_subject: e.subject,
      ce_time: e.time,
      ce_dataschema: e.dataschema,
      'content-type': e.datacontenttype,
    },
  };
}

/** The inverse, for consumers and tests. */
export function fromKafkaRecord(r: PartnerKafkaRecord): PartnerCloudEvent {
  const h = r.headers;
  return {
    specversion: '1.0',
    id: h['ce_id']!,
    source: h['ce_source']!,
    type: h['ce_type']!,
    subject: h['ce_subject'] ?? r.key,
    time: h['ce_time']!,
    datacontenttype: 'application/json',
    dataschema: h['ce_dataschema']!,
    data: r.value === null ? null : (JSON.parse(r.value) as Record<string, unknown>),
  };
}

export const partnerTopic = (partnerId: string): string => `childledger.partner.${partnerId}.v1`;

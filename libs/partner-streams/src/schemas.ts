import type { EventType } from '@childledger/domain';
import type { PartnerAgreement } from './agreement';
import { dataSchemaUrl, PARTNER_TYPE_VERSION, SCHEMA_BASE } from './cloudevent';
import { FieldSpec, SHAREABLE_FIELDS } from './field-catalogue';

type JsonSchema = Record<string, unknown>;

function leaf(spec: FieldSpec): JsonSchema {
  let s: JsonSchema;
  switch (spec.kind) {
    case 'string':
      s = spec.enum ? { type: 'string', enum: [...spec.enum] } : { type: 'string', minLength: 1 };
      break;
    case 'sex':
      s = { type: 'string', enum: [...(spec.enum ?? ['M', 'F'])] };
      break;
    case 'date':
      s = { type: 'string', format: 'date' };
      break;
    case 'datetime':
      s = { type: 'string', format: 'date-time' };
      break;
    case 'boolean':
      s = { type: 'boolean' };
      break;
    case 'integer':
      s = { type: 'integer', minimum: 0 };
      break;
    case 'number':
      s = { type: 'number' };
      break;
    case 'commune':
      s = { type: 'string', pattern: '^\\d{5}$' };
      break;
    case 'personalId':
      s = { type: 'string', pattern: '^\\d{12}$' };
      break;
    case 'pseudonym':
      s = { type: 'string', pattern: '^[0-9a-f]{64}$', description: "the partner's pseudonymous key of the identifier" };
      break;
    case 'string[]':
      s = { type: 'array', items: { type: 'string' } };
      break;
  }
  if (spec.nullable) s = { anyOf: [s, { type: 'null' }] };
  return s;
}

/** Builds the nested object schema of a set of dotted paths; every field optional, nothing else allowed. */
function objectSchema(entries: [string, FieldSpec][]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const groups = new Map<string, [string, FieldSpec][]>();
  for (const [path, spec] of entries) {
    const dot = path.indexOf('.');
    if (dot < 0) properties[path] = leaf(spec);
    else {
      const head = path.slice(0, dot);
      groups.set(head, [...(groups.get(head) ?? []), [path.slice(dot + 1), spec]]);
    }
  }
  for (const [head, sub] of groups) properties[head] = objectSchema(sub);
  return { type: 'object', properties, additionalProperties: false };
}

/**
 * JSON Schema (draft-07) of the `data` of a partner-visible event type, version `version`: every
 * field an agreement may name. Fields are optional because each agreement picks a subset and
 * optional domain fields may be absent.
 */
export function partnerEventSchema(type: EventType, version = PARTNER_TYPE_VERSION): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: dataSchemaUrl(type, version),
    title: `${type} v${version} (partner view)`,
    ...objectSchema(Object.entries(SHAREABLE_FIELDS[type])),
  };
}

/** The schema of what one partner receives for a type: only its agreed fields. */
export function agreementEventSchema(agreement: PartnerAgreement, type: EventType): JsonSchema {
  const fields = agreement.events[type] ?? [];
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${type} v${PARTNER_TYPE_VERSION} for ${agreement.id}`,
    ...objectSchema(fields.map((f) => [f, SHAREABLE_FIELDS[type][f]!])),
  };
}

/** The CloudEvents envelope as served by the HTTP feed. */
export const CLOUDEVENT_ENVELOPE_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `${SCHEMA_BASE}/CloudEvent/v1.json`,
  type: 'object',
  required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data'],
  properties: {
    specversion: { const: '1.0' },
    id: { type: 'string', minLength: 1 },
    source: { type: 'string', minLength: 1 },
    type: { type: 'string', pattern: '^vn\\.gov\\.childledger\\.[A-Za-z]+\\.v\\d+$' },
    subject: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    time: { type: 'string', format: 'date-time' },
    datacontenttype: { const: 'application/json' },
    dataschema: { type: 'string', format: 'uri' },
    data: { type: ['object', 'null'] },
  },
  additionalProperties: false,
};

/** The `data` of a tombstone (`vn.gov.childledger.ChildTombstone.v1`): always null. */
export const TOMBSTONE_DATA_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `${SCHEMA_BASE}/ChildTombstone/v1.json`,
  title: 'ChildTombstone v1 (partner view): no data, forget everything held under the subject',
  type: 'null',
};

/**
 * Every published partner schema, by its path under SCHEMA_BASE (`CaseClosed/v1.json`): what the
 * `dataschema` URLs name, what docs/schemas/partners holds and what the gateway serves.
 */
export function partnerSchemaFiles(): Record<string, JsonSchema> {
  const files: Record<string, JsonSchema> = {};
  const add = (schema: JsonSchema) => {
    const id = schema['$id'] as string;
    if (!id.startsWith(`${SCHEMA_BASE}/`)) throw new Error(`schema $id ${id} is not under ${SCHEMA_BASE}`);
    files[id.slice(SCHEMA_BASE.length + 1)] = schema;
  };
  for (const type of Object.keys(SHAREABLE_FIELDS) as EventType[]) add(partnerEventSchema(type));
  add(TOMBSTONE_DATA_SCHEMA);
  add(CLOUDEVENT_ENVELOPE_SCHEMA);
  return files;
}

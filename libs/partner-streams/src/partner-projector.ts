import { EVENT_SCHEMA_VERSIONS, EventType } from '@childledger/domain';
import type { PartnerAgreement } from './agreement';
import { CLOUDEVENT_SOURCE, cloudEventType, dataSchemaUrl, PartnerCloudEvent, SCHEMA_BASE, TOMBSTONE_TYPE } from './cloudevent';
import { isPersonalPath, isShareableEventType, SHAREABLE_FIELDS } from './field-catalogue';
import type { Pseudonymiser } from './pseudonym';

/** What the projector needs of a recorded event (structurally a `RecordedEvent` of the store). */
export interface SourceEvent {
  id: string;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  streamId: string;
  recordedAt: Date;
}

/** Where a child lives (as far as the log has said so far) and what this partner already knows of it. */
export interface ChildRoute {
  communeCode: string | null;
  /** Its personal data was erased: nothing personal of it is sent any more. */
  erased: boolean;
  /** At least one event of it was sent to this partner, so an erasure must reach the partner as a tombstone. */
  shared: boolean;
}

/** The projection's state, per partner; the PostgreSQL adapter loads the keys a batch needs and saves what changed. */
export interface RoutingState {
  child(childId: string): ChildRoute | undefined;
  setChild(childId: string, route: ChildRoute): void;
  caseChild(caseId: string): string | undefined;
  setCaseChild(caseId: string, childId: string): void;
}

export class InMemoryRoutingState implements RoutingState {
  readonly children = new Map<string, ChildRoute>();
  readonly cases = new Map<string, string>();
  readonly changedChildren = new Set<string>();
  readonly changedCases = new Set<string>();

  child(childId: string): ChildRoute | undefined {
    return this.children.get(childId);
  }
  setChild(childId: string, route: ChildRoute): void {
    this.children.set(childId, route);
    this.changedChildren.add(childId);
  }
  caseChild(caseId: string): string | undefined {
    return this.cases.get(caseId);
  }
  setCaseChild(caseId: string, childId: string): void {
    this.cases.set(caseId, childId);
    this.changedCases.add(caseId);
  }
  clearChanges(): void {
    this.changedChildren.clear();
    this.changedCases.clear();
  }
}

export interface OutboxEntry {
  /** Internal: which child this is about (for erasure); never served. */
  childId: string;
  /** The store event this entry came from (the erasure event, for a tombstone). */
  sourceEventId: string;
  event: PartnerCloudEvent;
  /**
   * Internal: the W3C `traceparent` the source event was written under (its metadata), kept beside
   * the entry so the partner's delivery (Kafka send, feed page) links to the command's trace;
   * never part of the served CloudEvent.
   */
  traceparent?: string;
}

export interface ProjectionResult {
  entries: OutboxEntry[];
  /** Children erased in this batch whose earlier entries must lose their personal fields. */
  erasedChildren: string[];
}

/** Events the routing needs even when the partner does not receive them. */
export const ROUTING_EVENT_TYPES = ['ChildRegistered', 'ResidenceChanged', 'CaseOpened', 'ChildPersonalDataErased'] as const;

const CASE_TYPES = new Set(['CaseAssessed', 'InterventionPlanned', 'InterventionDelivered', 'CaseReferred', 'CaseReviewed', 'CaseClosed', 'CaseReopened']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function getPath(data: Record<string, unknown>, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(cur[part])) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/**
 * Turns the global log into one partner's stream: routes each event to a child (case events
 * through their case's `CaseOpened`), keeps it when the agreement shares its type and the child
 * lives in the partner's jurisdiction, and copies exactly the agreed fields, identifiers
 * pseudonymised. Pure: the same events and state give the same entries.
 *
 * Jurisdiction is the child's residence as of the event. A `ResidenceChanged` is shared when
 * either the old or the new commune is in the jurisdiction, so a partner learns that a child left.
 */
export class PartnerProjector {
  /** The store filter of this partner's projection: its types and the routing ones. */
  readonly eventTypes: string[];

  constructor(
    readonly agreement: PartnerAgreement,
    private readonly keys: Pseudonymiser,
    private readonly provinceOf: (communeCode: string) => string | undefined,
  ) {
    this.eventTypes = [...new Set([...ROUTING_EVENT_TYPES, ...Object.keys(agreement.events)])].sort();
  }

  inJurisdiction(communeCode: string | null | undefined): boolean {
    const j = this.agreement.jurisdictions;
    if (j.includes('*')) return true;
    if (!communeCode) return false;
    if (j.includes(communeCode)) return true;
    const province = this.provinceOf(communeCode);
    return province !== undefined && j.includes(province);
  }

  project(events: readonly SourceEvent[], state: RoutingState): ProjectionResult {
    const entries: OutboxEntry[] = [];
    const erasedChildren: string[] = [];
    for (const e of events) {
      if (!isShareableEventType(e.type)) continue;
      const type = e.type;
      const expected = EVENT_SCHEMA_VERSIONS[type];
      if (e.schemaVersion !== expected) {
        // Upcasters run in the store on read; a version they did not lift is a deployment error.
        throw new Error(`event ${e.id}: ${type} schema version ${e.schemaVersion}, expected ${expected} (missing upcaster?)`);
      }
      const childId = this.childOf(e, state);
      if (childId === undefined) continue;
      const known = state.child(childId);
      const route: ChildRoute = { ...(known ?? { communeCode: null, erased: false, shared: false }) };
      let visible: boolean;
      if (type === 'ChildRegistered') {
        const residence = e.data['residence'];
        route.communeCode = isObject(residence) && typeof residence['communeCode'] === 'string' ? residence['communeCode'] : null;
        visible = this.inJurisdiction(route.communeCode);
      } else if (type === 'ResidenceChanged') {
        const next = typeof e.data['communeCode'] === 'string' ? e.data['communeCode'] : null;
        const previous = typeof e.data['previousCommuneCode'] === 'string' ? e.data['previousCommuneCode'] : route.communeCode;
        visible = this.inJurisdiction(previous) || this.inJurisdiction(next);
        route.communeCode = next;
      } else {
        visible = this.inJurisdiction(route.communeCode);
      }
      if (type === 'ChildPersonalDataErased') route.erased = true;
      const traceparent = traceparentOf(e);
      const personalReadable = !route.erased && e.metadata['personalDataErased'] !== true && isObject(e.data['personal']);
      const fields = this.agreement.events[type];
      if (visible && fields) {
        entries.push({ childId, sourceEventId: e.id, event: this.toCloudEvent(e, type, childId, fields, personalReadable), ...traceparent });
        route.shared = true;
      }
      if (type === 'ChildPersonalDataErased') {
        erasedChildren.push(childId);
        if (route.shared) {
          entries.push({
            childId,
            sourceEventId: e.id,
            ...traceparent,
            event: {
              specversion: '1.0',
              id: `${e.id}.tombstone`,
              source: CLOUDEVENT_SOURCE,
              type: TOMBSTONE_TYPE,
              subject: this.keys.child(childId),
              time: e.recordedAt.toISOString(),
              datacontenttype: 'application/json',
              dataschema: `${SCHEMA_BASE}/ChildTombstone/v1.json`,
              data: null,
            },
          });
        }
      }
      // A route the event left as it was is not set again: most events of a child change nothing
      // of it, and each route set is a row the adapter upserts (a backfill's largest write after the outbox's).
      if (!known || known.communeCode !== route.communeCode || known.erased !== route.erased || known.shared !== route.shared) state.setChild(childId, route);
    }
    return { entries, erasedChildren };
  }

  private childOf(e: SourceEvent, state: RoutingState): string | undefined {
    const childId = e.data['childId'];
    if (e.type === 'CaseOpened') {
      const caseId = e.data['caseId'];
      if (typeof caseId === 'string' && typeof childId === 'string') state.setCaseChild(caseId, childId);
      return typeof childId === 'string' ? childId : undefined;
    }
    if (CASE_TYPES.has(e.type)) {
      const caseId = e.data['caseId'];
      return typeof caseId === 'string' ? state.caseChild(caseId) : undefined;
    }
    return typeof childId === 'string' ? childId : undefined;
  }

  private toCloudEvent(e: SourceEvent, type: EventType, childId: string, fields: readonly string[], personalReadable: boolean): PartnerCloudEvent {
    const data: Record<string, unknown> = {};
    const specs = SHAREABLE_FIELDS[type];
    for (const path of fields) {
      if (isPersonalPath(path) && !personalReadable) continue;
      const value = getPath(e.data, path);
      if (value === undefined) continue;
      const spec = specs[path];
      if (spec?.kind === 'pseudonym' && typeof value === 'string') {
        const kind = path === 'caseId' ? 'case' : path === 'interventionId' ? 'intervention' : 'child';
        setPath(data, path, this.keys.identifier(kind, value));
      } else {
        // Scalars need no copy (most fields are): only objects are cloned, so the entry never shares the event's.
        setPath(data, path, typeof value === 'object' && value !== null ? structuredClone(value) : value);
      }
    }
    return {
      specversion: '1.0',
      id: e.id,
      source: CLOUDEVENT_SOURCE,
      type: cloudEventType(type),
      subject: this.keys.child(childId),
      time: e.recordedAt.toISOString(),
      datacontenttype: 'application/json',
      dataschema: dataSchemaUrl(type),
      data,
    };
  }
}

/** A W3C trace context `traceparent` (version, trace id, parent id, flags). */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The event's `traceparent` (metadata) as an entry's field, when it has a well-formed one. */
function traceparentOf(e: SourceEvent): { traceparent?: string } {
  const value = e.metadata['traceparent'];
  return typeof value === 'string' && TRACEPARENT.test(value) ? { traceparent: value } : {};
}

import type { EventType } from '@childledger/domain';
import { isShareableEventType, SHAREABLE_FIELDS } from './field-catalogue';

export const PARTNER_CHANNELS = ['kafka', 'http'] as const;
export type PartnerChannel = (typeof PARTNER_CHANNELS)[number];

export const PARTNER_SECTORS = ['health', 'education', 'public_security', 'justice', 'other'] as const;
export type PartnerSector = (typeof PARTNER_SECTORS)[number];

/**
 * A data-sharing agreement: which event types a partner receives, which fields of each,
 * for children living in which units, over which channels. Secrets are never part of it.
 */
export interface PartnerAgreement {
  /** Lower-case slug, used in URLs, topic names and checkpoint names. */
  id: string;
  name: string;
  sector: PartnerSector;
  /** Event type → the dotted paths of `data` it may see. */
  events: Partial<Record<EventType, readonly string[]>>;
  /** 2-digit province codes or 5-digit commune codes; `*` for the whole country. */
  jurisdictions: readonly string[];
  channels: readonly PartnerChannel[];
  /**
   * Days a row stays in the partner's outbox (the HTTP feed, the SSE tail) after it was written
   * there; older rows are pruned, except rows the Kafka relay has not yet delivered. Absent:
   * DEFAULT_RETENTION_DAYS.
   */
  retentionDays?: number;
}

/** Outbox retention when an agreement names none. */
export const DEFAULT_RETENTION_DAYS = 90;
/** At least a week, so that a partner's outage over a long weekend never loses events; at most ten years. */
export const MIN_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 3650;

/** The partner's outbox retention in days: its agreement's, or the platform default. */
export function retentionDaysOf(a: PartnerAgreement): number {
  return a.retentionDays ?? DEFAULT_RETENTION_DAYS;
}

export const PARTNER_ID = /^[a-z][a-z0-9-]{1,39}$/;
const UNIT = /^(\d{2}|\d{5})$/;

export interface AgreementProblem {
  /** Dotted path in the partners document, e.g. `partners[1].events.ChildRegistered[2]`. */
  field: string;
  message: string;
}

export class InvalidAgreementError extends Error {
  constructor(readonly problems: AgreementProblem[]) {
    super(`invalid partner agreement: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'InvalidAgreementError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one agreement; returns the problems found (empty when valid), each naming its field. */
export function agreementProblems(input: unknown, at = ''): AgreementProblem[] {
  const p: AgreementProblem[] = [];
  const f = (name: string) => (at ? `${at}.${name}` : name);
  if (!isObject(input)) return [{ field: at || '(root)', message: 'must be an object' }];
  const known = new Set(['id', 'name', 'sector', 'events', 'jurisdictions', 'channels', 'retentionDays']);
  for (const k of Object.keys(input)) if (!known.has(k)) p.push({ field: f(k), message: 'is not a field of an agreement (secrets never go here)' });
  if (typeof input['id'] !== 'string' || !PARTNER_ID.test(input['id'])) p.push({ field: f('id'), message: `must match ${PARTNER_ID}` });
  if (typeof input['name'] !== 'string' || input['name'].trim().length === 0 || input['name'].length > 200)
    p.push({ field: f('name'), message: 'must be 1 to 200 characters' });
  if (typeof input['sector'] !== 'string' || !(PARTNER_SECTORS as readonly string[]).includes(input['sector'])) {
    p.push({ field: f('sector'), message: `must be one of ${PARTNER_SECTORS.join(', ')}` });
  }
  const events = input['events'];
  if (!isObject(events) || Object.keys(events).length === 0) {
    p.push({ field: f('events'), message: 'must map at least one event type to its fields' });
  } else {
    for (const [type, fields] of Object.entries(events)) {
      if (!isShareableEventType(type)) {
        p.push({ field: f(`events.${type}`), message: 'is not an event type of the catalogue (docs/events.md)' });
        continue;
      }
      if (!Array.isArray(fields)) {
        p.push({ field: f(`events.${type}`), message: 'must be a list of field paths (may be empty)' });
        continue;
      }
      const seen = new Set<string>();
      fields.forEach((path: unknown, i) => {
        if (typeof path !== 'string' || !Object.prototype.hasOwnProperty.call(SHAREABLE_FIELDS[type], path)) {
          p.push({ field: f(`events.${type}[${i}]`), message: `must be one of ${Object.keys(SHAREABLE_FIELDS[type]).join(', ')}` });
        } else if (seen.has(path)) {
          p.push({ field: f(`events.${type}[${i}]`), message: 'is repeated' });
        } else seen.add(path);
      });
    }
  }
  const jurisdictions = input['jurisdictions'];
  if (!Array.isArray(jurisdictions) || jurisdictions.length === 0) {
    p.push({ field: f('jurisdictions'), message: 'must list at least one unit code (or "*")' });
  } else {
    jurisdictions.forEach((j: unknown, i) => {
      if (typeof j !== 'string' || (j !== '*' && !UNIT.test(j)))
        p.push({ field: f(`jurisdictions[${i}]`), message: 'must be a 2-digit province code, a 5-digit commune code or "*"' });
    });
  }
  const channels = input['channels'];
  if (!Array.isArray(channels) || channels.length === 0) {
    p.push({ field: f('channels'), message: `must list at least one of ${PARTNER_CHANNELS.join(', ')}` });
  } else {
    channels.forEach((c: unknown, i) => {
      if (typeof c !== 'string' || !(PARTNER_CHANNELS as readonly string[]).includes(c))
        p.push({ field: f(`channels[${i}]`), message: `must be one of ${PARTNER_CHANNELS.join(', ')}` });
    });
  }
  const retention = input['retentionDays'];
  if (
    retention !== undefined &&
    (typeof retention !== 'number' || !Number.isInteger(retention) || retention < MIN_RETENTION_DAYS || retention > MAX_RETENTION_DAYS)
  ) {
    p.push({
      field: f('retentionDays'),
      message: `must be an integer from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS} (days; absent: ${DEFAULT_RETENTION_DAYS})`,
    });
  }
  return p;
}

export function parseAgreement(input: unknown): PartnerAgreement {
  const problems = agreementProblems(input);
  if (problems.length > 0) throw new InvalidAgreementError(problems);
  return input as PartnerAgreement;
}

/** The version-controlled partners document: `{ "partners": [agreement, ...] }`. */
export function parsePartnersDocument(input: unknown): PartnerAgreement[] {
  if (!isObject(input) || !Array.isArray(input['partners'])) throw new InvalidAgreementError([{ field: 'partners', message: 'must be a list of agreements' }]);
  const problems: AgreementProblem[] = [];
  const ids = new Set<string>();
  input['partners'].forEach((a: unknown, i) => {
    problems.push(...agreementProblems(a, `partners[${i}]`));
    const id = isObject(a) ? a['id'] : undefined;
    if (typeof id === 'string') {
      if (ids.has(id)) problems.push({ field: `partners[${i}].id`, message: 'is repeated' });
      ids.add(id);
    }
  });
  if (problems.length > 0) throw new InvalidAgreementError(problems);
  return input['partners'] as PartnerAgreement[];
}

/** Event types the agreement shares. */
export function sharedEventTypes(a: PartnerAgreement): EventType[] {
  return Object.keys(a.events) as EventType[];
}

import type { CaseEventType } from './case/case.events';
import type { ChildEventType } from './child/child.events';

export type EventType = ChildEventType | CaseEventType;

const CHILD_PERSONAL = ['personal.fullName', 'personal.dateOfBirth', 'personal.personalId', 'personal.motherName', 'personal.fatherName', 'personal.notes'];

/** A free-text reason (an officer may write a name into it): under `data.personal` like the rest. */
const REASON = 'personal.reason';

/**
 * Paths (in `data`) of the personal fields of each event type: what an encryption layer seals and
 * what erasure makes unreadable. They all sit under `data.personal`, so sealing that object is enough;
 * the list says what may be in it. Free-text reasons are among them (`personal.reason`), except the
 * erasure's legal reason, which stays in clear to outlive the erasure and must not hold personal data.
 * Events written before reasons moved here have `data.reason` in clear; the encrypting store's read
 * path moves it to `personal.reason` (docs/trust.md).
 */
export const PERSONAL_FIELDS: Readonly<Record<EventType, readonly string[]>> = {
  ChildRegistered: [...CHILD_PERSONAL, 'personal.unverifiedPersonalId'],
  ChildDetailsCorrected: [...CHILD_PERSONAL, REASON],
  ResidenceChanged: [],
  SpecialCircumstanceIdentified: [],
  SpecialCircumstanceEnded: [REASON],
  RiskIdentified: ['personal.description'],
  RiskResolved: [],
  NationalIdLinked: ['personal.personalId'],
  NationalIdUnlinked: ['personal.personalId', REASON],
  IdentityReviewRequested: [REASON],
  NoNationalRecordFound: [],
  ChildRecordsMerged: [REASON],
  ChildRecordsMergeReverted: [REASON],
  ChildPersonalDataErased: [],
  CaseOpened: ['personal.description'],
  CaseAssessed: ['personal.notes'],
  InterventionPlanned: [],
  InterventionDelivered: ['personal.notes'],
  CaseReferred: [REASON],
  CaseReviewed: ['personal.notes'],
  CaseClosed: [],
  CaseReopened: [REASON],
  CaseAssigned: [],
};

/**
 * Schema version of each event type's `data` (all 1: the move of reasons under `data.personal` is
 * read-compatible, done on read by the encrypting store, so it needs no version of its own).
 */
export const EVENT_SCHEMA_VERSIONS: Readonly<Record<EventType, number>> = Object.fromEntries(Object.keys(PERSONAL_FIELDS).map((type) => [type, 1])) as Record<
  EventType,
  number
>;

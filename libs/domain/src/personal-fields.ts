import type { CaseEventType } from './case/case.events';
import type { ChildEventType } from './child/child.events';

export type EventType = ChildEventType | CaseEventType;

const CHILD_PERSONAL = [
  'personal.fullName',
  'personal.dateOfBirth',
  'personal.personalId',
  'personal.motherName',
  'personal.fatherName',
  'personal.notes',
];

/**
 * Paths (in `data`) of the personal fields of each event type: what an encryption layer seals and
 * what erasure makes unreadable. They all sit under `data.personal`, so sealing that object is enough;
 * the list says what may be in it. Reasons are written for auditors and must not hold personal data.
 */
export const PERSONAL_FIELDS: Readonly<Record<EventType, readonly string[]>> = {
  ChildRegistered: CHILD_PERSONAL,
  ChildDetailsCorrected: CHILD_PERSONAL,
  ResidenceChanged: [],
  SpecialCircumstanceIdentified: [],
  SpecialCircumstanceEnded: [],
  RiskIdentified: ['personal.description'],
  RiskResolved: [],
  NationalIdLinked: ['personal.personalId'],
  NationalIdUnlinked: ['personal.personalId'],
  IdentityReviewRequested: [],
  NoNationalRecordFound: [],
  ChildRecordsMerged: [],
  ChildRecordsMergeReverted: [],
  ChildPersonalDataErased: [],
  CaseOpened: ['personal.description'],
  CaseAssessed: ['personal.notes'],
  InterventionPlanned: [],
  InterventionDelivered: ['personal.notes'],
  CaseReferred: [],
  CaseReviewed: ['personal.notes'],
  CaseClosed: [],
  CaseReopened: [],
};

/** Schema version of each event type's `data` (all 1 for now). */
export const EVENT_SCHEMA_VERSIONS: Readonly<Record<EventType, number>> = Object.fromEntries(
  Object.keys(PERSONAL_FIELDS).map((type) => [type, 1]),
) as Record<EventType, number>;

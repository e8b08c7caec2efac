import type { EventType } from '@childledger/domain';

/**
 * How a shareable field is typed in the partner-facing JSON Schemas. `pseudonym` fields hold an
 * internal identifier (a case, an intervention, another child) and are sent as that partner's
 * HMAC of it, never as the identifier itself.
 */
export type FieldKind = 'string' | 'date' | 'datetime' | 'boolean' | 'integer' | 'number' | 'commune' | 'pseudonym' | 'string[]' | 'sex' | 'personalId';

export interface FieldSpec {
  kind: FieldKind;
  /** The field may be `null` (a correction that removes an optional value). */
  nullable?: boolean;
  /** Closed list of values. */
  enum?: readonly string[];
}

const S: FieldSpec = { kind: 'string' };
const D: FieldSpec = { kind: 'date' };
const DT: FieldSpec = { kind: 'datetime' };
const B: FieldSpec = { kind: 'boolean' };
const P: FieldSpec = { kind: 'pseudonym' };
const GROUP: FieldSpec = { kind: 'integer' };
const SEX: FieldSpec = { kind: 'sex', enum: ['M', 'F'] };
const SOURCE: FieldSpec = { kind: 'string', enum: ['officer', 'identity_adapter'] };
const RISK: FieldSpec = { kind: 'string', enum: ['low', 'medium', 'high', 'critical'] };
const SERVICE: FieldSpec = { kind: 'string', enum: ['health', 'education', 'psychosocial', 'legal', 'alternative_care', 'financial', 'other'] };

const CHILD_PERSONAL = (nullable: boolean): Record<string, FieldSpec> => ({
  'personal.fullName': S,
  'personal.dateOfBirth': D,
  'personal.personalId': { kind: 'personalId', nullable },
  'personal.motherName': { kind: 'string', nullable },
  'personal.fatherName': { kind: 'string', nullable },
  'personal.notes': { kind: 'string', nullable },
});

/**
 * Every field of every event type that an agreement may name, as a dotted path in `data`.
 * The child id is never a field: it is the CloudEvent `subject`, pseudonymised per partner.
 * Personal fields are exactly the `personal.*` paths (see PERSONAL_FIELDS in the domain); free-text
 * reasons are among them (`personal.reason`), so sharing one needs what sharing personal data needs.
 */
export const SHAREABLE_FIELDS: Readonly<Record<EventType, Readonly<Record<string, FieldSpec>>>> = {
  ChildRegistered: { sex: SEX, 'residence.communeCode': { kind: 'commune' }, 'residence.effectiveFrom': D, registeredAt: DT, ...CHILD_PERSONAL(false) },
  ChildDetailsCorrected: { correctedFields: { kind: 'string[]' }, sex: SEX, correctedAt: DT, ...CHILD_PERSONAL(true), 'personal.reason': S },
  ResidenceChanged: { communeCode: { kind: 'commune' }, effectiveFrom: D, previousCommuneCode: { kind: 'commune' }, recordedAt: DT },
  SpecialCircumstanceIdentified: { group: GROUP, effectiveFrom: D, recordedAt: DT },
  SpecialCircumstanceEnded: { group: GROUP, effectiveTo: D, recordedAt: DT, 'personal.reason': S },
  RiskIdentified: { group: GROUP, effectiveFrom: D, recordedAt: DT, 'personal.description': S },
  RiskResolved: {
    group: GROUP,
    effectiveTo: D,
    outcome: { kind: 'string', enum: ['removed_from_risk', 'entered_special_circumstance', 'no_longer_applicable'] },
    recordedAt: DT,
  },
  NationalIdLinked: { source: SOURCE, matchScore: { kind: 'number' }, linkedAt: DT, 'personal.personalId': { kind: 'personalId' } },
  NationalIdUnlinked: { unlinkedAt: DT, 'personal.personalId': { kind: 'personalId' }, 'personal.reason': S },
  IdentityReviewRequested: { source: SOURCE, candidateCount: { kind: 'integer' }, requestedAt: DT, 'personal.reason': S },
  NoNationalRecordFound: { source: SOURCE, checkedAt: DT },
  ChildRecordsMerged: { survivingChildId: P, mergedAt: DT, 'personal.reason': S },
  ChildRecordsMergeReverted: { survivingChildId: P, revertedAt: DT, 'personal.reason': S },
  ChildPersonalDataErased: { erasedAt: DT },
  CaseOpened: {
    caseId: P,
    channel: { kind: 'string', enum: ['hotline_111', 'school', 'health_facility', 'police', 'community', 'family', 'other'] },
    concern: S,
    protectionLevel: { kind: 'string', enum: ['prevention', 'support', 'intervention'] },
    reportedAt: DT,
    openedAt: DT,
    assessmentDueAt: DT,
    'personal.description': S,
  },
  CaseAssessed: { caseId: P, riskLevel: RISK, assessedAt: DT, dueAt: DT, onTime: B, planDueAt: DT, 'personal.notes': S },
  InterventionPlanned: {
    caseId: P,
    interventionId: P,
    serviceType: SERVICE,
    provider: S,
    plannedStart: D,
    plannedEnd: D,
    plannedAt: DT,
    dueAt: DT,
    onTime: B,
    reviewDueAt: DT,
  },
  InterventionDelivered: {
    caseId: P,
    interventionId: P,
    serviceType: SERVICE,
    provider: S,
    deliveredOn: D,
    dueAt: D,
    onTime: B,
    recordedAt: DT,
    'personal.notes': S,
  },
  CaseReferred: {
    caseId: P,
    sector: { kind: 'string', enum: ['health', 'education', 'justice', 'public_security', 'social_affairs', 'other'] },
    referredTo: S,
    referredAt: DT,
    'personal.reason': S,
  },
  CaseReviewed: { caseId: P, reviewedAt: DT, dueAt: DT, onTime: B, riskLevel: RISK, 'personal.notes': S },
  CaseClosed: { caseId: P, outcome: S, closedAt: DT },
  CaseReopened: { caseId: P, reopenedAt: DT, assessmentDueAt: DT, 'personal.reason': S },
  // Who holds a case is the programme's business: staff ids are not shared with partners.
  CaseAssigned: { caseId: P, assignedAt: DT },
};

export const SHAREABLE_EVENT_TYPES = Object.keys(SHAREABLE_FIELDS) as EventType[];

export function isShareableEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(SHAREABLE_FIELDS, type);
}

export const isPersonalPath = (path: string): boolean => path.startsWith('personal.');

import type { DomainEvent } from '../shared/decider';
import type { IsoDate, IsoDateTime } from '../shared/dates';

export const REPORT_CHANNELS = ['hotline_111', 'school', 'health_facility', 'police', 'community', 'family', 'other'] as const;
export type ReportChannel = (typeof REPORT_CHANNELS)[number];

export const CONCERN_TYPES = [
  'physical_abuse',
  'sexual_abuse',
  'emotional_abuse',
  'neglect',
  'exploitation',
  'child_labour',
  'trafficking',
  'abandonment',
  'out_of_school',
  'conflict_with_law',
  'other',
] as const;
export type ConcernType = (typeof CONCERN_TYPES)[number];

/** Law on Children 2016, Arts. 47–50. */
export const PROTECTION_LEVELS = ['prevention', 'support', 'intervention'] as const;
export type ProtectionLevel = (typeof PROTECTION_LEVELS)[number];

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const SERVICE_TYPES = ['health', 'education', 'psychosocial', 'legal', 'alternative_care', 'financial', 'other'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const SECTORS = ['health', 'education', 'justice', 'public_security', 'social_affairs', 'other'] as const;
export type Sector = (typeof SECTORS)[number];

export const CASE_OUTCOMES = ['risk_removed', 'goals_met', 'no_protection_needed', 'referred_elsewhere', 'child_moved', 'child_turned_16', 'other'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

// Where a step has a deadline, its event records `dueAt` (the deadline that applied) and `onTime`.

export type CaseOpened = DomainEvent<
  'CaseOpened',
  {
    caseId: string;
    childId: string;
    channel: ReportChannel;
    concern: ConcernType;
    protectionLevel: ProtectionLevel;
    reportedAt: IsoDateTime;
    openedAt: IsoDateTime;
    assessmentDueAt: IsoDateTime;
    personal: { description?: string };
  }
>;

export type CaseAssessed = DomainEvent<
  'CaseAssessed',
  { caseId: string; riskLevel: RiskLevel; assessedAt: IsoDateTime; dueAt: IsoDateTime; onTime: boolean; planDueAt: IsoDateTime; personal: { notes?: string } }
>;

export type InterventionPlanned = DomainEvent<
  'InterventionPlanned',
  {
    caseId: string;
    interventionId: string;
    serviceType: ServiceType;
    provider: string;
    plannedStart: IsoDate;
    plannedEnd: IsoDate;
    plannedAt: IsoDateTime;
    /** Set on the first plan after an assessment: the planning deadline. */
    dueAt?: IsoDateTime;
    onTime?: boolean;
    /** Set when this plan starts a new plan cycle (after an assessment or a review). */
    reviewDueAt?: IsoDateTime;
  }
>;

export type InterventionDelivered = DomainEvent<
  'InterventionDelivered',
  {
    caseId: string;
    interventionId: string;
    serviceType: ServiceType;
    provider: string;
    deliveredOn: IsoDate;
    /** The planned end date. */
    dueAt: IsoDate;
    onTime: boolean;
    recordedAt: IsoDateTime;
    personal: { notes?: string };
  }
>;

export type CaseReferred = DomainEvent<
  'CaseReferred',
  { caseId: string; sector: Sector; referredTo: string; referredAt: IsoDateTime; personal: { reason: string } }
>;

export type CaseReviewed = DomainEvent<
  'CaseReviewed',
  { caseId: string; reviewedAt: IsoDateTime; dueAt: IsoDateTime; onTime: boolean; riskLevel?: RiskLevel; personal: { notes?: string } }
>;

export type CaseClosed = DomainEvent<'CaseClosed', { caseId: string; outcome: CaseOutcome; closedAt: IsoDateTime }>;

export type CaseReopened = DomainEvent<'CaseReopened', { caseId: string; reopenedAt: IsoDateTime; assessmentDueAt: IsoDateTime; personal: { reason: string } }>;

/**
 * The case's holder: the first assignment (`previousAssigneeId` absent) or a reassignment. Who
 * assigned whom, when. Any status but closed; assigning the case to the user who holds it is refused.
 */
export type CaseAssigned = DomainEvent<
  'CaseAssigned',
  { caseId: string; assigneeId: string; previousAssigneeId?: string; assignedBy: string; assignedAt: IsoDateTime }
>;

export type CaseEvent =
  CaseAssigned | CaseOpened | CaseAssessed | InterventionPlanned | InterventionDelivered | CaseReferred | CaseReviewed | CaseClosed | CaseReopened;

export type CaseEventType = CaseEvent['type'];

export const CASE_EVENT_TYPES = [
  'CaseOpened',
  'CaseAssessed',
  'InterventionPlanned',
  'InterventionDelivered',
  'CaseReferred',
  'CaseReviewed',
  'CaseClosed',
  'CaseReopened',
  'CaseAssigned',
] as const satisfies readonly CaseEventType[];

export const caseStreamId = (caseId: string): string => `case-${caseId}`;

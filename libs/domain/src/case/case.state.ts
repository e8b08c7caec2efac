import type { IsoDate, IsoDateTime } from '../shared/dates';
import type { ConcernType, ProtectionLevel, RiskLevel, ServiceType } from './case.events';

/** report received → assessed → planned → implementing → reviewed → closed (see case-state-machine.ts). */
export type CaseStatus = 'report_received' | 'assessed' | 'planned' | 'implementing' | 'reviewed' | 'closed';

export interface PlannedIntervention {
  serviceType: ServiceType;
  provider: string;
  plannedStart: IsoDate;
  plannedEnd: IsoDate;
  deliveries: number;
}

export interface OpenedCaseState {
  status: CaseStatus;
  caseId: string;
  childId: string;
  concern: ConcernType;
  protectionLevel: ProtectionLevel;
  reportedAt: IsoDateTime;
  /** Deadlines of the steps ahead. */
  assessmentDueAt?: IsoDateTime;
  planDueAt?: IsoDateTime;
  reviewDueAt?: IsoDateTime;
  riskLevel?: RiskLevel;
  /** The user who holds the case (CaseAssigned), if anyone does. */
  assigneeId?: string;
  interventions: Readonly<Record<string, PlannedIntervention>>;
}

export type CaseState = { status: 'none' } | OpenedCaseState;

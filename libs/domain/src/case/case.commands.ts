import type { CaseCommandContext } from '../shared/context';
import type { IsoDate, IsoDateTime } from '../shared/dates';
import type { CaseOutcome, ConcernType, ProtectionLevel, ReportChannel, RiskLevel, Sector, ServiceType } from './case.events';

interface Command<Type extends string, Data> {
  type: Type;
  data: Data;
  context: CaseCommandContext;
}

/** The child must exist; that is for the handler to check (it spans two streams). */
export type OpenCase = Command<
  'OpenCase',
  {
    caseId: string;
    childId: string;
    channel: ReportChannel;
    concern: ConcernType;
    protectionLevel: ProtectionLevel;
    reportedAt: IsoDateTime;
    description?: string;
  }
>;
export type AssessCase = Command<'AssessCase', { riskLevel: RiskLevel; notes?: string }>;
export type PlanIntervention = Command<
  'PlanIntervention',
  { interventionId: string; serviceType: ServiceType; provider: string; plannedStart: IsoDate; plannedEnd: IsoDate }
>;
export type DeliverIntervention = Command<'DeliverIntervention', { interventionId: string; deliveredOn: IsoDate; notes?: string }>;
export type ReferCase = Command<'ReferCase', { sector: Sector; referredTo: string; reason: string }>;
export type ReviewCase = Command<'ReviewCase', { riskLevel?: RiskLevel; notes?: string }>;
export type CloseCase = Command<'CloseCase', { outcome: CaseOutcome }>;
export type ReopenCase = Command<'ReopenCase', { reason: string }>;

/**
 * Gives the case to a case worker, or takes it from one to another. `assignedBy` is the user sending
 * the command (set by the transport, never by the client's body).
 */
export type AssignCase = Command<'AssignCase', { assigneeId: string; assignedBy: string }>;

export type CaseCommand = AssignCase | OpenCase | AssessCase | PlanIntervention | DeliverIntervention | ReferCase | ReviewCase | CloseCase | ReopenCase;
export type CaseCommandType = CaseCommand['type'];

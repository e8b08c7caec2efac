import type { CaseCommandType } from './case.commands';
import type { CaseEventType } from './case.events';
import type { CaseStatus } from './case.state';

/**
 * The legal transitions of a protection case. `OpenCase` starts a case in `report_received`; any
 * command missing from a row is refused (ILLEGAL_TRANSITION, or CASE_CLOSED in `closed`).
 *
 * | status \ command | AssessCase | PlanIntervention | DeliverIntervention | ReferCase | ReviewCase | CloseCase | ReopenCase      |
 * |------------------|------------|------------------|---------------------|-----------|------------|-----------|-----------------|
 * | report_received  | assessed   | -                | -                   | (same)    | -          | -         | -               |
 * | assessed         | -          | planned          | -                   | (same)    | -          | closed    | -               |
 * | planned          | -          | planned          | implementing        | (same)    | -          | -         | -               |
 * | implementing     | -          | implementing     | implementing        | (same)    | reviewed   | -         | -               |
 * | reviewed         | -          | planned          | implementing        | (same)    | -          | closed    | -               |
 * | closed           | CASE_CLOSED| CASE_CLOSED      | CASE_CLOSED         | CASE_CLOSED| CASE_CLOSED| CASE_CLOSED| report_received |
 *
 * Why these: closing straight after assessment covers a report found to need no protection;
 * a review either closes, adds a plan, or goes on delivering what was planned; a referral to another
 * sector does not move the case; a reopened case is assessed again, with a new deadline.
 * `AssignCase` is not in the table: it never moves the case, and is allowed in every status but closed.
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, Readonly<Partial<Record<Exclude<CaseCommandType, 'OpenCase' | 'AssignCase'>, CaseStatus>>>>> = {
  report_received: { AssessCase: 'assessed', ReferCase: 'report_received' },
  assessed: { PlanIntervention: 'planned', ReferCase: 'assessed', CloseCase: 'closed' },
  planned: { PlanIntervention: 'planned', DeliverIntervention: 'implementing', ReferCase: 'planned' },
  implementing: { PlanIntervention: 'implementing', DeliverIntervention: 'implementing', ReferCase: 'implementing', ReviewCase: 'reviewed' },
  reviewed: { PlanIntervention: 'planned', DeliverIntervention: 'implementing', ReferCase: 'reviewed', CloseCase: 'closed' },
  closed: { ReopenCase: 'report_received' },
};

/** The command each event records; evolve reads the table through it so decide and evolve cannot disagree. */
export const COMMAND_OF_EVENT: Readonly<Record<CaseEventType, CaseCommandType>> = {
  CaseOpened: 'OpenCase',
  CaseAssessed: 'AssessCase',
  InterventionPlanned: 'PlanIntervention',
  InterventionDelivered: 'DeliverIntervention',
  CaseReferred: 'ReferCase',
  CaseReviewed: 'ReviewCase',
  CaseClosed: 'CloseCase',
  CaseReopened: 'ReopenCase',
  CaseAssigned: 'AssignCase',
};

/** The status after a command, or undefined when the command is not allowed in that status. */
export function nextCaseStatus(status: CaseStatus, command: Exclude<CaseCommandType, 'OpenCase'>): CaseStatus | undefined {
  if (command === 'AssignCase') return status === 'closed' ? undefined : status;
  return CASE_TRANSITIONS[status][command];
}

import type { Decider } from '../shared/decider';
import { requireInstant, requireIsoDate, requireNotInFuture, vietnamDate } from '../shared/dates';
import { CURRENT_SCHEMA_VERSION } from '../shared/event-schema';
import { RegistryError } from '../shared/registry.error';
import { optionalText, requireOneOf, requireReason, requireText } from '../shared/text';
import { assessmentDueAt, planningDueAt, reviewDueAt } from './case-deadlines';
import { COMMAND_OF_EVENT, nextCaseStatus } from './case-state-machine';
import type { CaseCommand } from './case.commands';
import { CASE_OUTCOMES, CaseEvent, CONCERN_TYPES, PROTECTION_LEVELS, REPORT_CHANNELS, RISK_LEVELS, SECTORS, SERVICE_TYPES } from './case.events';
import type { CaseState, OpenedCaseState } from './case.state';

function event<E extends CaseEvent>(type: E['type'], data: E['data']): E {
  return { type, data, schemaVersion: CURRENT_SCHEMA_VERSION } as E;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}

function onTime(at: Date, due: string | undefined): boolean {
  return due === undefined || at.getTime() <= new Date(due).getTime();
}

function decide(command: CaseCommand, state: CaseState): CaseEvent[] {
  const { now, deadlines } = command.context;
  const at = now.toISOString();

  if (command.type === 'OpenCase') {
    if (state.status !== 'none') throw new RegistryError('CASE_ALREADY_OPENED', 'this case is already open', 'caseId');
    const d = command.data;
    const caseId = requireText(d.caseId, 'caseId');
    const childId = requireText(d.childId, 'childId');
    const channel = requireOneOf(d.channel, REPORT_CHANNELS, 'channel');
    const concern = requireOneOf(d.concern, CONCERN_TYPES, 'concern');
    const protectionLevel = requireOneOf(d.protectionLevel, PROTECTION_LEVELS, 'protectionLevel');
    const reportedAt = requireInstant(d.reportedAt, 'reportedAt');
    if (new Date(reportedAt) > now) throw new RegistryError('DATE_IN_FUTURE', 'reportedAt is in the future', 'reportedAt');
    // The clock starts when the report was received, not when it was typed in.
    const due = assessmentDueAt(new Date(reportedAt), concern, protectionLevel, deadlines).toISOString();
    const description = optionalText(d.description, 'description');
    return [
      event('CaseOpened', {
        caseId,
        childId,
        channel,
        concern,
        protectionLevel,
        reportedAt,
        openedAt: at,
        assessmentDueAt: due,
        personal: { ...optional('description', description) },
      }),
    ];
  }

  if (state.status === 'none') throw new RegistryError('CASE_NOT_FOUND', 'no case is open in this stream', 'caseId');
  if (state.status === 'closed' && command.type !== 'ReopenCase') {
    throw new RegistryError('CASE_CLOSED', 'the case is closed; reopen it first', 'caseId', { status: state.status, command: command.type });
  }
  if (nextCaseStatus(state.status, command.type) === undefined) {
    throw new RegistryError('ILLEGAL_TRANSITION', `${command.type} is not allowed when the case is ${state.status}`, 'caseId', {
      status: state.status,
      command: command.type,
    });
  }
  const { caseId } = state;

  switch (command.type) {
    case 'AssignCase': {
      const assigneeId = requireText(command.data.assigneeId, 'assigneeId');
      const assignedBy = requireText(command.data.assignedBy, 'assignedBy');
      if (state.assigneeId === assigneeId) {
        throw new RegistryError('NOTHING_TO_CHANGE', 'the case is already assigned to this user', 'assigneeId');
      }
      return [
        event('CaseAssigned', {
          caseId,
          assigneeId,
          ...optional('previousAssigneeId', state.assigneeId),
          assignedBy,
          assignedAt: at,
        }),
      ];
    }

    case 'AssessCase': {
      const riskLevel = requireOneOf(command.data.riskLevel, RISK_LEVELS, 'riskLevel');
      const notes = optionalText(command.data.notes, 'notes');
      const dueAt = state.assessmentDueAt ?? at;
      return [
        event('CaseAssessed', {
          caseId,
          riskLevel,
          assessedAt: at,
          dueAt,
          onTime: onTime(now, dueAt),
          planDueAt: planningDueAt(now, riskLevel, deadlines).toISOString(),
          personal: { ...optional('notes', notes) },
        }),
      ];
    }

    case 'PlanIntervention': {
      const d = command.data;
      const interventionId = requireText(d.interventionId, 'interventionId');
      if (state.interventions[interventionId]) {
        throw new RegistryError('INTERVENTION_ALREADY_PLANNED', `intervention ${interventionId} is already planned`, 'interventionId');
      }
      const serviceType = requireOneOf(d.serviceType, SERVICE_TYPES, 'serviceType');
      const provider = requireText(d.provider, 'provider');
      const plannedStart = requireIsoDate(d.plannedStart, 'plannedStart');
      const plannedEnd = requireIsoDate(d.plannedEnd, 'plannedEnd');
      if (plannedEnd < plannedStart) throw new RegistryError('DATE_OUT_OF_ORDER', 'plannedEnd is before plannedStart', 'plannedEnd');
      const firstPlan = state.status === 'assessed';
      const newCycle = state.status === 'assessed' || state.status === 'reviewed';
      return [
        event('InterventionPlanned', {
          caseId,
          interventionId,
          serviceType,
          provider,
          plannedStart,
          plannedEnd,
          plannedAt: at,
          ...(firstPlan && state.planDueAt ? { dueAt: state.planDueAt, onTime: onTime(now, state.planDueAt) } : {}),
          ...(newCycle ? { reviewDueAt: reviewDueAt(now, deadlines).toISOString() } : {}),
        }),
      ];
    }

    case 'DeliverIntervention': {
      const interventionId = requireText(command.data.interventionId, 'interventionId');
      const planned = state.interventions[interventionId];
      if (!planned) throw new RegistryError('INTERVENTION_NOT_PLANNED', `intervention ${interventionId} was not planned`, 'interventionId');
      const deliveredOn = requireIsoDate(command.data.deliveredOn, 'deliveredOn');
      requireNotInFuture(deliveredOn, now, 'deliveredOn');
      if (deliveredOn < vietnamDate(new Date(state.reportedAt))) {
        throw new RegistryError('DATE_OUT_OF_ORDER', 'deliveredOn is before the case was reported', 'deliveredOn');
      }
      const notes = optionalText(command.data.notes, 'notes');
      return [
        event('InterventionDelivered', {
          caseId,
          interventionId,
          serviceType: planned.serviceType,
          provider: planned.provider,
          deliveredOn,
          dueAt: planned.plannedEnd,
          onTime: deliveredOn <= planned.plannedEnd,
          recordedAt: at,
          personal: { ...optional('notes', notes) },
        }),
      ];
    }

    case 'ReferCase': {
      const sector = requireOneOf(command.data.sector, SECTORS, 'sector');
      const referredTo = requireText(command.data.referredTo, 'referredTo');
      const reason = requireReason(command.data.reason);
      return [event('CaseReferred', { caseId, sector, referredTo, referredAt: at, personal: { reason } })];
    }

    case 'ReviewCase': {
      const riskLevel = command.data.riskLevel === undefined ? undefined : requireOneOf(command.data.riskLevel, RISK_LEVELS, 'riskLevel');
      const notes = optionalText(command.data.notes, 'notes');
      const dueAt = state.reviewDueAt ?? at;
      return [
        event('CaseReviewed', {
          caseId,
          reviewedAt: at,
          dueAt,
          onTime: onTime(now, dueAt),
          ...optional('riskLevel', riskLevel),
          personal: { ...optional('notes', notes) },
        }),
      ];
    }

    case 'CloseCase': {
      const outcome = requireOneOf(command.data.outcome, CASE_OUTCOMES, 'outcome');
      return [event('CaseClosed', { caseId, outcome, closedAt: at })];
    }

    case 'ReopenCase': {
      const reason = requireReason(command.data.reason);
      const due = assessmentDueAt(now, state.concern, state.protectionLevel, deadlines).toISOString();
      return [event('CaseReopened', { caseId, reopenedAt: at, assessmentDueAt: due, personal: { reason } })];
    }
  }
}

function evolve(state: CaseState, e: CaseEvent): CaseState {
  if (e.type === 'CaseOpened') {
    const { caseId, childId, concern, protectionLevel, reportedAt, assessmentDueAt: due } = e.data;
    return { status: 'report_received', caseId, childId, concern, protectionLevel, reportedAt, assessmentDueAt: due, interventions: {} };
  }
  if (state.status === 'none') return state;
  const status = nextCaseStatus(state.status, COMMAND_OF_EVENT[e.type] as Exclude<CaseCommand['type'], 'OpenCase'>) ?? state.status;
  const next: OpenedCaseState = { ...state, status };
  switch (e.type) {
    case 'CaseAssessed':
      return { ...next, riskLevel: e.data.riskLevel, planDueAt: e.data.planDueAt, assessmentDueAt: undefined };
    case 'InterventionPlanned': {
      const { interventionId, serviceType, provider, plannedStart, plannedEnd } = e.data;
      return {
        ...next,
        interventions: { ...state.interventions, [interventionId]: { serviceType, provider, plannedStart, plannedEnd, deliveries: 0 } },
        ...(e.data.reviewDueAt ? { reviewDueAt: e.data.reviewDueAt } : {}),
        ...(e.data.dueAt ? { planDueAt: undefined } : {}),
      };
    }
    case 'InterventionDelivered': {
      const planned = state.interventions[e.data.interventionId];
      if (!planned) return next;
      return { ...next, interventions: { ...state.interventions, [e.data.interventionId]: { ...planned, deliveries: planned.deliveries + 1 } } };
    }
    case 'CaseReviewed':
      return { ...next, ...(e.data.riskLevel ? { riskLevel: e.data.riskLevel } : {}) };
    case 'CaseReopened':
      return { ...next, assessmentDueAt: e.data.assessmentDueAt, planDueAt: undefined, reviewDueAt: undefined };
    case 'CaseAssigned':
      return { ...next, assigneeId: e.data.assigneeId };
    case 'CaseReferred':
    case 'CaseClosed':
      return next;
  }
}

/** The protection case (`case-<id>`): report, assessment, plan, implementation, review, closure, reopening. */
export const caseDecider: Decider<CaseCommand, CaseState, CaseEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};

import { DeciderSpecification } from '../testing/decider-specification';
import { NOW } from '../testing/fixtures';
import { DEFAULT_CASE_DEADLINES } from './case-deadlines';
import { CASE_TRANSITIONS } from './case-state-machine';
import type { CaseCommand, CaseCommandType } from './case.commands';
import { caseDecider } from './case.decider';
import type { CaseEvent } from './case.events';
import type { CaseStatus } from './case.state';

const spec = DeciderSpecification.for(caseDecider);
const v = { schemaVersion: 1 };
const at = NOW.toISOString(); // 2025-09-15T03:00:00Z
const hoursAfter = (iso: string, h: number) => new Date(new Date(iso).getTime() + h * 3_600_000).toISOString();

function command<T extends CaseCommandType>(type: T, data: Extract<CaseCommand, { type: T }>['data'], now = NOW): CaseCommand {
  return { type, data, context: { now, deadlines: DEFAULT_CASE_DEADLINES } } as CaseCommand;
}

const REPORTED_AT = '2025-09-15T01:00:00.000Z';
const opened: CaseEvent = {
  type: 'CaseOpened',
  ...v,
  data: {
    caseId: 'k1',
    childId: 'c1',
    channel: 'hotline_111',
    concern: 'physical_abuse',
    protectionLevel: 'support',
    reportedAt: REPORTED_AT,
    openedAt: at,
    assessmentDueAt: hoursAfter(REPORTED_AT, 12),
    personal: {},
  },
};
const assessed: CaseEvent = {
  type: 'CaseAssessed',
  ...v,
  data: { caseId: 'k1', riskLevel: 'high', assessedAt: at, dueAt: hoursAfter(REPORTED_AT, 12), onTime: true, planDueAt: hoursAfter(at, 72), personal: {} },
};
const planned: CaseEvent = {
  type: 'InterventionPlanned',
  ...v,
  data: {
    caseId: 'k1',
    interventionId: 'i1',
    serviceType: 'psychosocial',
    provider: 'Trung tâm Công tác xã hội Hà Nội',
    plannedStart: '2025-09-16',
    plannedEnd: '2025-10-16',
    plannedAt: at,
    dueAt: hoursAfter(at, 72),
    onTime: true,
    reviewDueAt: hoursAfter(at, 90 * 24),
  },
};
const delivered: CaseEvent = {
  type: 'InterventionDelivered',
  ...v,
  data: {
    caseId: 'k1',
    interventionId: 'i1',
    serviceType: 'psychosocial',
    provider: 'Trung tâm Công tác xã hội Hà Nội',
    deliveredOn: '2025-09-15',
    dueAt: '2025-10-16',
    onTime: true,
    recordedAt: at,
    personal: {},
  },
};
const reviewed: CaseEvent = { type: 'CaseReviewed', ...v, data: { caseId: 'k1', reviewedAt: at, dueAt: hoursAfter(at, 90 * 24), onTime: true, personal: {} } };
const closed: CaseEvent = { type: 'CaseClosed', ...v, data: { caseId: 'k1', outcome: 'goals_met', closedAt: at } };

const HISTORY: Record<CaseStatus, CaseEvent[]> = {
  report_received: [opened],
  assessed: [opened, assessed],
  planned: [opened, assessed, planned],
  implementing: [opened, assessed, planned, delivered],
  reviewed: [opened, assessed, planned, delivered, reviewed],
  closed: [opened, assessed, planned, delivered, reviewed, closed],
};

const openCase = (data: Partial<Extract<CaseCommand, { type: 'OpenCase' }>['data']> = {}, now = NOW) =>
  command(
    'OpenCase',
    { caseId: 'k1', childId: 'c1', channel: 'hotline_111', concern: 'physical_abuse', protectionLevel: 'support', reportedAt: REPORTED_AT, ...data },
    now,
  );

/** One valid command of each type (valid data, so only the transition decides). */
const ANY: Record<Exclude<CaseCommandType, 'OpenCase' | 'AssignCase'>, CaseCommand> = {
  AssessCase: command('AssessCase', { riskLevel: 'high' }),
  PlanIntervention: command('PlanIntervention', {
    interventionId: 'i2',
    serviceType: 'health',
    provider: 'Trạm y tế phường Ba Đình',
    plannedStart: '2025-09-16',
    plannedEnd: '2025-09-30',
  }),
  DeliverIntervention: command('DeliverIntervention', { interventionId: 'i1', deliveredOn: '2025-09-15' }),
  ReferCase: command('ReferCase', { sector: 'public_security', referredTo: 'Công an phường Ba Đình', reason: 'criminal complaint' }),
  ReviewCase: command('ReviewCase', {}),
  CloseCase: command('CloseCase', { outcome: 'goals_met' }),
  ReopenCase: command('ReopenCase', { reason: 'new report from school' }),
};

describe('caseDecider', () => {
  describe('OpenCase', () => {
    it('given no case, when a hotline report of physical abuse is opened, then CaseOpened with the assessment due 12 hours after the report', () => {
      spec
        .given([])
        .when(openCase({ description: 'neighbour heard screaming' }))
        .then([{ ...opened, data: { ...opened.data, personal: { description: 'neighbour heard screaming' } } } as CaseEvent]);
    });

    it('uses the level default when the concern has none, and configured deadlines when given', () => {
      const [neglect] = caseDecider.decide(openCase({ concern: 'neglect', protectionLevel: 'prevention' }), caseDecider.initialState());
      expect(neglect?.data).toMatchObject({ assessmentDueAt: hoursAfter(REPORTED_AT, 168) });
      const custom = { ...DEFAULT_CASE_DEADLINES, assessmentHours: { byLevel: { prevention: 10, support: 5, intervention: 2 } } };
      const [e] = caseDecider.decide({ ...openCase(), context: { now: NOW, deadlines: custom } }, caseDecider.initialState());
      expect(e?.data).toMatchObject({ assessmentDueAt: hoursAfter(REPORTED_AT, 5) });
    });

    it.each([
      ['an open case', [opened], {}, 'CASE_ALREADY_OPENED', 'caseId'],
      ['a report in the future', [], { reportedAt: '2025-09-15T04:00:00Z' }, 'DATE_IN_FUTURE', 'reportedAt'],
      ['a report time without a time', [], { reportedAt: '2025-09-15' }, 'INVALID_INPUT', 'reportedAt'],
      ['an unknown channel', [], { channel: 'fax' as 'other' }, 'INVALID_INPUT', 'channel'],
      ['an unknown concern', [], { concern: 'x' as 'other' }, 'INVALID_INPUT', 'concern'],
      ['an unknown protection level', [], { protectionLevel: 'x' as 'support' }, 'INVALID_INPUT', 'protectionLevel'],
      ['no child', [], { childId: '' }, 'INVALID_INPUT', 'childId'],
    ] as const)('refuses %s', (_label, given, data, code, field) => {
      spec
        .given([...given])
        .when(openCase(data))
        .thenThrows(code, field);
    });
  });

  describe('AssessCase', () => {
    it('given a report, when assessed in time, then CaseAssessed on time with the planning deadline for its risk', () => {
      spec
        .given([opened])
        .when(command('AssessCase', { riskLevel: 'high' }))
        .then([assessed]);
    });

    it('when assessed after the deadline, then onTime is false and the deadline is recorded', () => {
      const late = new Date('2025-09-15T14:00:00Z');
      spec
        .given([opened])
        .when(command('AssessCase', { riskLevel: 'critical', notes: 'visible injuries' }, late))
        .then([
          {
            type: 'CaseAssessed',
            ...v,
            data: {
              caseId: 'k1',
              riskLevel: 'critical',
              assessedAt: late.toISOString(),
              dueAt: hoursAfter(REPORTED_AT, 12),
              onTime: false,
              planDueAt: hoursAfter(late.toISOString(), 24),
              personal: { notes: 'visible injuries' },
            },
          },
        ]);
    });

    it('refuses an unknown risk level', () => {
      spec
        .given([opened])
        .when(command('AssessCase', { riskLevel: 'extreme' as 'high' }))
        .thenThrows('INVALID_INPUT', 'riskLevel');
    });
  });

  describe('PlanIntervention', () => {
    it('given an assessed case, when the first intervention is planned, then InterventionPlanned with planning and review deadlines', () => {
      spec
        .given([opened, assessed])
        .when(
          command('PlanIntervention', {
            interventionId: 'i1',
            serviceType: 'psychosocial',
            provider: 'Trung tâm Công tác xã hội Hà Nội',
            plannedStart: '2025-09-16',
            plannedEnd: '2025-10-16',
          }),
        )
        .then([planned]);
    });

    it('given a plan, a further intervention carries no deadline of its own', () => {
      spec
        .given([opened, assessed, planned])
        .when(ANY.PlanIntervention)
        .then([
          {
            type: 'InterventionPlanned',
            ...v,
            data: {
              caseId: 'k1',
              interventionId: 'i2',
              serviceType: 'health',
              provider: 'Trạm y tế phường Ba Đình',
              plannedStart: '2025-09-16',
              plannedEnd: '2025-09-30',
              plannedAt: at,
            },
          },
        ]);
    });

    it.each([
      ['an id already planned', { interventionId: 'i1' }, 'INTERVENTION_ALREADY_PLANNED', 'interventionId'],
      ['an unknown service type', { serviceType: 'magic' as 'other' }, 'INVALID_INPUT', 'serviceType'],
      ['no provider', { provider: ' ' }, 'INVALID_INPUT', 'provider'],
      ['an end before the start', { plannedEnd: '2025-09-01' }, 'DATE_OUT_OF_ORDER', 'plannedEnd'],
      ['a malformed date', { plannedStart: '16/09/2025' }, 'INVALID_INPUT', 'plannedStart'],
    ] as const)('refuses %s', (_label, data, code, field) => {
      const base = (ANY.PlanIntervention as Extract<CaseCommand, { type: 'PlanIntervention' }>).data;
      spec
        .given([opened, assessed, planned])
        .when(command('PlanIntervention', { ...base, ...data }))
        .thenThrows(code, field);
    });
  });

  describe('DeliverIntervention', () => {
    it('given a planned intervention, when delivered before its planned end, then InterventionDelivered on time', () => {
      spec.given([opened, assessed, planned]).when(ANY.DeliverIntervention).then([delivered]);
    });

    it('refuses an intervention that was not planned, a future date and a date before the report', () => {
      spec
        .given([opened, assessed, planned])
        .when(command('DeliverIntervention', { interventionId: 'i9', deliveredOn: '2025-09-15' }))
        .thenThrows('INTERVENTION_NOT_PLANNED', 'interventionId');
      spec
        .given([opened, assessed, planned])
        .when(command('DeliverIntervention', { interventionId: 'i1', deliveredOn: '2025-09-16' }))
        .thenThrows('DATE_IN_FUTURE', 'deliveredOn');
      spec
        .given([opened, assessed, planned])
        .when(command('DeliverIntervention', { interventionId: 'i1', deliveredOn: '2025-09-14' }))
        .thenThrows('DATE_OUT_OF_ORDER', 'deliveredOn');
    });

    it('records a late delivery as not on time', () => {
      const later = new Date('2025-11-01T03:00:00Z');
      const [e] = caseDecider.decide(
        command('DeliverIntervention', { interventionId: 'i1', deliveredOn: '2025-10-20' }, later),
        [opened, assessed, planned].reduce(caseDecider.evolve, caseDecider.initialState()),
      );
      expect(e?.data).toMatchObject({ dueAt: '2025-10-16', onTime: false });
    });
  });

  describe('ReferCase, ReviewCase, CloseCase, ReopenCase', () => {
    it('given an assessed case, when referred to the police, then CaseReferred and the status is unchanged', () => {
      const state = spec
        .given([opened, assessed])
        .when(ANY.ReferCase)
        .then([
          {
            type: 'CaseReferred',
            ...v,
            data: { caseId: 'k1', sector: 'public_security', referredTo: 'Công an phường Ba Đình', referredAt: at, personal: { reason: 'criminal complaint' } },
          },
        ]);
      expect(state).toMatchObject({ status: 'assessed' });
      spec
        .given([opened])
        .when(command('ReferCase', { sector: 'health', referredTo: 'X', reason: '' }))
        .thenThrows('MISSING_REASON', 'reason');
    });

    it('given an intervention under way, when reviewed, then CaseReviewed against the review deadline', () => {
      spec.given([opened, assessed, planned, delivered]).when(command('ReviewCase', {})).then([reviewed]);
    });

    it('given a review, when closed, then CaseClosed with the outcome; an unknown outcome is refused', () => {
      spec.given(HISTORY.reviewed).when(ANY.CloseCase).then([closed]);
      spec
        .given(HISTORY.reviewed)
        .when(command('CloseCase', { outcome: 'forgotten' as 'other' }))
        .thenThrows('INVALID_INPUT', 'outcome');
    });

    it('given an assessment that found no need, when closed, then CaseClosed', () => {
      spec
        .given([opened, assessed])
        .when(command('CloseCase', { outcome: 'no_protection_needed' }))
        .then([{ type: 'CaseClosed', ...v, data: { caseId: 'k1', outcome: 'no_protection_needed', closedAt: at } }]);
    });

    it('given a closed case, when reopened with a reason, then CaseReopened with a new assessment deadline, and it must be assessed again', () => {
      const state = spec
        .given(HISTORY.closed)
        .when(ANY.ReopenCase)
        .then([
          {
            type: 'CaseReopened',
            ...v,
            data: { caseId: 'k1', reopenedAt: at, assessmentDueAt: hoursAfter(at, 12), personal: { reason: 'new report from school' } },
          },
        ]);
      expect(state).toMatchObject({ status: 'report_received', assessmentDueAt: hoursAfter(at, 12) });
      spec
        .given(HISTORY.closed)
        .when(command('ReopenCase', { reason: '' }))
        .thenThrows('MISSING_REASON', 'reason');
    });

    it('given a closed case, no intervention is planned or delivered until it is reopened', () => {
      spec.given(HISTORY.closed).when(ANY.PlanIntervention).thenThrows('CASE_CLOSED', 'caseId');
      spec.given(HISTORY.closed).when(ANY.DeliverIntervention).thenThrows('CASE_CLOSED', 'caseId');
      spec
        .given([...HISTORY.closed, { type: 'CaseReopened', ...v, data: { caseId: 'k1', reopenedAt: at, assessmentDueAt: at, personal: { reason: 'r' } } }])
        .when(ANY.PlanIntervention)
        .thenThrows('ILLEGAL_TRANSITION', 'caseId', { status: 'report_received', command: 'PlanIntervention' });
    });
  });

  describe('AssignCase', () => {
    const assign = (assigneeId: string) => command('AssignCase', { assigneeId, assignedBy: 'u-lead' });

    it('given an open case with no holder, when assigned, then CaseAssigned with who assigned whom and when, and no previous holder', () => {
      spec
        .given(HISTORY.report_received)
        .when(assign('u-worker'))
        .then([{ type: 'CaseAssigned', ...v, data: { caseId: 'k1', assigneeId: 'u-worker', assignedBy: 'u-lead', assignedAt: at } }]);
    });

    it('given a case held by one worker, when reassigned, then CaseAssigned names the previous holder, and the status does not move', () => {
      const held = [
        ...HISTORY.assessed,
        { type: 'CaseAssigned', ...v, data: { caseId: 'k1', assigneeId: 'u-a', assignedBy: 'u-a', assignedAt: at } },
      ] as CaseEvent[];
      spec
        .given(held)
        .when(assign('u-b'))
        .then([{ type: 'CaseAssigned', ...v, data: { caseId: 'k1', assigneeId: 'u-b', previousAssigneeId: 'u-a', assignedBy: 'u-lead', assignedAt: at } }]);
      const state = held.reduce(caseDecider.evolve, caseDecider.initialState());
      expect(state).toMatchObject({ status: 'assessed', assigneeId: 'u-a' });
    });

    it('refuses assigning the case to the user who already holds it (assigneeId), an empty assignee, and a closed case', () => {
      const held = [
        ...HISTORY.planned,
        { type: 'CaseAssigned', ...v, data: { caseId: 'k1', assigneeId: 'u-a', assignedBy: 'u-a', assignedAt: at } },
      ] as CaseEvent[];
      spec.given(held).when(assign('u-a')).thenThrows('NOTHING_TO_CHANGE', 'assigneeId');
      spec.given(HISTORY.planned).when(assign(' ')).thenThrows('INVALID_INPUT', 'assigneeId');
      spec.given(HISTORY.closed).when(assign('u-a')).thenThrows('CASE_CLOSED', 'caseId');
      spec.given([]).when(assign('u-a')).thenThrows('CASE_NOT_FOUND', 'caseId');
    });
  });

  describe('state machine', () => {
    const statuses = Object.keys(HISTORY) as CaseStatus[];
    const commands = Object.keys(ANY) as (keyof typeof ANY)[];
    const cells = statuses.flatMap((status) => commands.map((c) => [status, c, CASE_TRANSITIONS[status][c]] as const));

    it.each(cells)('in %s, %s → %s', (status, c, next) => {
      const given = spec.given(HISTORY[status]).when(ANY[c]);
      if (next === undefined) {
        given.thenThrows(status === 'closed' ? 'CASE_CLOSED' : 'ILLEGAL_TRANSITION', 'caseId');
      } else {
        const [e] = caseDecider.decide(ANY[c], HISTORY[status].reduce(caseDecider.evolve, caseDecider.initialState()));
        expect(caseDecider.evolve(HISTORY[status].reduce(caseDecider.evolve, caseDecider.initialState()), e!)).toMatchObject({ status: next });
      }
    });

    it('the table follows report received → assessed → planned → implementing → reviewed → closed, with reopening', () => {
      expect(CASE_TRANSITIONS.report_received.AssessCase).toBe('assessed');
      expect(CASE_TRANSITIONS.assessed.PlanIntervention).toBe('planned');
      expect(CASE_TRANSITIONS.planned.DeliverIntervention).toBe('implementing');
      expect(CASE_TRANSITIONS.implementing.ReviewCase).toBe('reviewed');
      expect(CASE_TRANSITIONS.reviewed.CloseCase).toBe('closed');
      expect(CASE_TRANSITIONS.closed).toEqual({ ReopenCase: 'report_received' });
    });

    it('every command but OpenCase is refused on an empty stream with CASE_NOT_FOUND', () => {
      for (const c of commands) spec.given([]).when(ANY[c]).thenThrows('CASE_NOT_FOUND', 'caseId');
    });
  });
});

import { CaseCommand, caseDecider, CaseState, DEFAULT_CASE_DEADLINES } from '@childledger/domain';
import type { RecordedEvent } from '@childledger/event-store';
import { caseAsOf, caseEventDay } from './as-of';

/** Vietnam wall-clock time (UTC+7) as an instant. */
const vn = (day: string, hour = 10) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+07:00`);

/**
 * A case's stream written by the real decider: each step decided at `at` (the command's clock)
 * and recorded at `recordedAt` (the same moment unless the test says otherwise).
 */
class CaseStory {
  readonly events: RecordedEvent[] = [];
  private state: CaseState = caseDecider.initialState();

  step<T extends CaseCommand['type']>(type: T, data: Extract<CaseCommand, { type: T }>['data'], at: Date): this {
    const decided = caseDecider.decide({ type, data, context: { now: at, deadlines: DEFAULT_CASE_DEADLINES } } as CaseCommand, this.state);
    for (const e of decided) {
      const revision = this.events.length;
      this.events.push({
        id: `00000000-0000-4000-8000-${String(revision + 1).padStart(12, '0')}`,
        type: e.type,
        schemaVersion: 1,
        data: e.data as unknown as Record<string, unknown>,
        metadata: {},
        streamId: 'case-k1',
        revision,
        position: `1:${revision + 1}`,
        recordedAt: at,
      });
      this.state = caseDecider.evolve(this.state, e);
    }
    return this;
  }
}

const open = (reportedAt: Date, at: Date) =>
  new CaseStory().step(
    'OpenCase',
    {
      caseId: 'k1',
      childId: 'c1',
      channel: 'school',
      concern: 'neglect',
      protectionLevel: 'support',
      reportedAt: reportedAt.toISOString(),
      description: 'trẻ bỏ học',
    },
    at,
  );

describe(caseAsOf.name, () => {
  it('shows the step the case was at: nothing before the report, report_received until the assessment day, then assessed', () => {
    const { events } = open(vn('2025-03-01', 8), vn('2025-03-01', 9)).step('AssessCase', { riskLevel: 'medium', notes: 'gặp gia đình' }, vn('2025-03-04'));
    for (const time of ['effective', 'recorded'] as const) {
      expect(caseAsOf(events, '2025-02-28', time)).toEqual({ case: null, eventsApplied: 0 });
      expect(caseAsOf(events, '2025-03-03', time)).toMatchObject({
        case: { status: 'report_received', risk_level: null, assessed_at: null },
        eventsApplied: 1,
      });
      expect(caseAsOf(events, '2025-03-04', time)).toMatchObject({
        case: {
          status: 'assessed',
          risk_level: 'medium',
          assessed_at: vn('2025-03-04').toISOString(),
          personal: { description: 'trẻ bỏ học', notes: 'gặp gia đình' },
        },
        eventsApplied: 2,
      });
    }
    // The deadline of the step the case waits for moves with it.
    expect(caseAsOf(events, '2025-03-03', 'effective').case!.next_due_at).toBe(caseAsOf(events, '2025-03-03', 'effective').case!.assessment_due_at);
    expect(caseAsOf(events, '2025-03-04', 'effective').case!.next_due_at).toBe(caseAsOf(events, '2025-03-04', 'effective').case!.plan_due_at);
  });

  it('counts a backdated report from the day it was received in effective time, and from the day it was typed in in recorded time', () => {
    const { events } = open(vn('2025-03-01', 8), vn('2025-03-10'));
    expect(caseAsOf(events, '2025-03-05', 'effective').case).toMatchObject({ status: 'report_received', reported_at: vn('2025-03-01', 8).toISOString() });
    expect(caseAsOf(events, '2025-03-05', 'recorded').case).toBeNull();
    expect(caseAsOf(events, '2025-03-10', 'recorded').case).toMatchObject({ status: 'report_received' });
  });

  it('counts a delivery from the day it was delivered in effective time, and from the day it was recorded in recorded time', () => {
    const { events } = open(vn('2025-03-01', 8), vn('2025-03-01', 9))
      .step('AssessCase', { riskLevel: 'high' }, vn('2025-03-02'))
      .step(
        'PlanIntervention',
        { interventionId: 'i1', serviceType: 'education', provider: 'Trường TH', plannedStart: '2025-03-12', plannedEnd: '2025-03-31' },
        vn('2025-03-03'),
      )
      .step('DeliverIntervention', { interventionId: 'i1', deliveredOn: '2025-03-15' }, vn('2025-03-20'));
    expect(caseEventDay(events[3]!)).toBe('2025-03-15');
    expect(caseAsOf(events, '2025-03-16', 'effective')).toMatchObject({ case: { status: 'implementing' }, eventsApplied: 4 });
    expect(caseAsOf(events, '2025-03-16', 'recorded')).toMatchObject({ case: { status: 'planned' }, eventsApplied: 3 });
    expect(caseAsOf(events, '2025-03-14', 'effective').case).toMatchObject({ status: 'planned' });
  });

  it("never holds a step before the step recorded ahead of it: a delivery dated before its plan counts from the plan's day", () => {
    const { events } = open(vn('2025-03-01', 8), vn('2025-03-01', 9))
      .step('AssessCase', { riskLevel: 'high' }, vn('2025-03-02'))
      .step(
        'PlanIntervention',
        { interventionId: 'i1', serviceType: 'health', provider: 'Trạm y tế', plannedStart: '2025-03-01', plannedEnd: '2025-03-05' },
        vn('2025-03-08'),
      )
      .step('DeliverIntervention', { interventionId: 'i1', deliveredOn: '2025-03-04' }, vn('2025-03-09'));
    expect(caseEventDay(events[3]!)).toBe('2025-03-04');
    // On 03-04 the case was assessed and not yet planned: an "implementing" case without a plan never existed.
    expect(caseAsOf(events, '2025-03-04', 'effective')).toMatchObject({ case: { status: 'assessed', planned_at: null }, eventsApplied: 2 });
    expect(caseAsOf(events, '2025-03-08', 'effective')).toMatchObject({ case: { status: 'implementing' }, eventsApplied: 4 });
  });

  it('follows a closed and reopened case, and a backdated delivery after the reopening does not reopen it on the closing day', () => {
    const { events } = open(vn('2025-04-01', 8), vn('2025-04-01', 9))
      .step('AssessCase', { riskLevel: 'low' }, vn('2025-04-02'))
      .step('CloseCase', { outcome: 'no_protection_needed' }, vn('2025-04-05'))
      .step('ReopenCase', { reason: 'báo cáo mới từ trường' }, vn('2025-04-20'))
      .step('AssessCase', { riskLevel: 'high' }, vn('2025-04-21'))
      .step(
        'PlanIntervention',
        { interventionId: 'i1', serviceType: 'psychosocial', provider: 'Trung tâm CTXH', plannedStart: '2025-04-03', plannedEnd: '2025-04-30' },
        vn('2025-04-22'),
      )
      .step('DeliverIntervention', { interventionId: 'i1', deliveredOn: '2025-04-06' }, vn('2025-04-23'));
    expect(caseAsOf(events, '2025-04-10', 'effective').case).toMatchObject({ status: 'closed', outcome: 'no_protection_needed', reopened_count: 0 });
    expect(caseAsOf(events, '2025-04-20', 'effective').case).toMatchObject({ status: 'report_received', outcome: null, closed_at: null, reopened_count: 1 });
    expect(caseAsOf(events, '2025-04-23', 'recorded').case).toMatchObject({ status: 'implementing', risk_level: 'high' });
  });

  it('uses Vietnam days: an event recorded at 01:00 on the 5th (18:00 UTC on the 4th) is not known at the end of the 4th', () => {
    const { events } = open(vn('2025-03-01', 8), vn('2025-03-01', 9)).step('AssessCase', { riskLevel: 'low' }, vn('2025-03-05', 1));
    expect(events[1]!.recordedAt.toISOString()).toBe('2025-03-04T18:00:00.000Z');
    expect(caseAsOf(events, '2025-03-04', 'recorded').case).toMatchObject({ status: 'report_received' });
    expect(caseAsOf(events, '2025-03-04', 'effective').case).toMatchObject({ status: 'report_received' });
    expect(caseAsOf(events, '2025-03-05', 'recorded').case).toMatchObject({ status: 'assessed' });
  });

  it("masks personal data in every view once the child's data is erased, and leaves the stream untouched", () => {
    const { events } = open(vn('2025-03-01', 8), vn('2025-03-01', 9));
    expect(caseAsOf(events, '2025-03-01', 'effective', { personalErased: true }).case).toMatchObject({
      personal: null,
      personal_erased: true,
      status: 'report_received',
    });
    expect(caseAsOf(events, '2025-03-01', 'effective').case).toMatchObject({ personal: { description: 'trẻ bỏ học' }, personal_erased: false });
    const erasedEvents = events.map((e) => ({ ...e, data: { ...e.data, personal: null }, metadata: { personalDataErased: true } }));
    expect(caseAsOf(erasedEvents, '2025-03-01', 'recorded').case).toMatchObject({ personal: null, personal_erased: true });
    expect(events[0]!.data['personal']).toEqual({ description: 'trẻ bỏ học' });
  });
});

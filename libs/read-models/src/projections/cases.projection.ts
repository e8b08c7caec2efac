import type { ClientBase } from 'pg';
import type { RecordedEvent } from '@childledger/event-store';
import { asCaseEvent, asChildEvent } from '../events';
import { insertRows, personalErased, Projection, ProjectionContext, recordedAtText, Row, RowSet, str, streamsStartedIn, vietnamDay } from '../projection';

export interface CaseRow extends Row {
  case_id: string;
  child_id: string;
  status: string;
  channel: string | null;
  concern: string | null;
  protection_level: string | null;
  risk_level: string | null;
  reported_at: string | null;
  opened_at: string | null;
  assessment_due_at: string | null;
  assessed_at: string | null;
  assessed_on_time: boolean | null;
  plan_due_at: string | null;
  planned_at: string | null;
  review_due_at: string | null;
  reviewed_at: string | null;
  closed_at: string | null;
  outcome: string | null;
  reopened_count: number;
  /** description (and the latest notes); null once the child's personal data is erased. */
  personal: Record<string, unknown> | null;
  personal_erased: boolean;
  revision: number;
  last_event_at: string;
  next_due_at: string | null;
  /** The user who holds the case (CaseAssigned), and since when. */
  assignee_id: string | null;
  assigned_at: string | null;
}

export interface CaseFactRow extends Row {
  event_id: string;
  case_id: string;
  child_id: string;
  kind: 'opened' | 'assessed' | 'delivered' | 'closed' | 'reopened';
  occurred_at: string;
  occurred_on: string;
  on_time: boolean | null;
  service_type: string | null;
}

const CASE_COLUMNS = [
  'case_id',
  'child_id',
  'status',
  'channel',
  'concern',
  'protection_level',
  'risk_level',
  'reported_at',
  'opened_at',
  'assessment_due_at',
  'assessed_at',
  'assessed_on_time',
  'plan_due_at',
  'planned_at',
  'review_due_at',
  'reviewed_at',
  'closed_at',
  'outcome',
  'reopened_count',
  'personal',
  'personal_erased',
  'revision',
  'last_event_at',
  'next_due_at',
  'assignee_id',
  'assigned_at',
] as const;
const FACT_COLUMNS = ['event_id', 'case_id', 'child_id', 'kind', 'occurred_at', 'occurred_on', 'on_time', 'service_type'] as const;

/** The deadline of the step the case waits for (the same rule as migration AddCaseNextDue1795470000001). */
export function nextDueAt(c: Pick<CaseRow, 'status' | 'assessment_due_at' | 'plan_due_at' | 'review_due_at'>): string | null {
  switch (c.status) {
    case 'report_received':
      return c.assessment_due_at;
    case 'assessed':
      return c.plan_due_at;
    case 'planned':
    case 'implementing':
      return c.review_due_at;
    default:
      return null;
  }
}

/** Folds one case event over the case row; returns the fact it adds to the indicator facts, if any. Pure apart from mutating `row`. */
export function evolveCase(row: CaseRow | undefined, e: RecordedEvent): { row: CaseRow | undefined; fact?: CaseFactRow } {
  // Typed by the domain's event unions: a field renamed there fails to compile here.
  const ev = asCaseEvent(e);
  const at = recordedAtText(e);
  const erased = personalErased(e);
  const fact = (kind: CaseFactRow['kind'], occurredAt: string, extra: Partial<CaseFactRow> = {}): CaseFactRow => ({
    event_id: e.id,
    case_id: row!.case_id,
    child_id: row!.child_id,
    kind,
    occurred_at: occurredAt,
    occurred_on: vietnamDay(occurredAt),
    on_time: null,
    service_type: null,
    ...extra,
  });
  if (ev?.type === 'CaseOpened') {
    if (row) return { row };
    const d = ev.data;
    row = {
      case_id: String(d.caseId),
      child_id: String(d.childId),
      status: 'report_received',
      channel: str(d.channel),
      concern: str(d.concern),
      protection_level: str(d.protectionLevel),
      risk_level: null,
      reported_at: str(d.reportedAt),
      opened_at: str(d.openedAt),
      assessment_due_at: str(d.assessmentDueAt),
      assessed_at: null,
      assessed_on_time: null,
      plan_due_at: null,
      planned_at: null,
      review_due_at: null,
      reviewed_at: null,
      closed_at: null,
      outcome: null,
      reopened_count: 0,
      personal: erased ? null : describe(d.personal),
      personal_erased: erased,
      revision: e.revision,
      last_event_at: at,
      next_due_at: null,
      assignee_id: null,
      assigned_at: null,
    };
    row.next_due_at = nextDueAt(row);
    return { row, fact: fact('opened', row.opened_at ?? at) };
  }
  if (!row) return { row };
  row.revision = e.revision;
  row.last_event_at = at;
  if (erased) {
    row.personal = null;
    row.personal_erased = true;
  }
  let added: CaseFactRow | undefined;
  const notes = (personal: { notes?: string } | null | undefined) => {
    const n = !erased && personal && typeof personal === 'object' ? personal.notes : undefined;
    if (typeof n === 'string' && row!.personal) row!.personal = { ...row!.personal, notes: n };
  };
  if (asChildEvent(e)?.type === 'ChildPersonalDataErased') {
    row.personal = null;
    row.personal_erased = true;
  }
  switch (ev?.type) {
    case 'CaseAssessed':
      row.status = 'assessed';
      row.risk_level = str(ev.data.riskLevel);
      row.assessed_at = str(ev.data.assessedAt);
      row.assessed_on_time = ev.data.onTime === true;
      row.plan_due_at = str(ev.data.planDueAt);
      notes(ev.data.personal);
      added = fact('assessed', row.assessed_at ?? at, { on_time: ev.data.onTime === true });
      break;
    case 'InterventionPlanned':
      if (row.status !== 'implementing') row.status = 'planned';
      row.planned_at = str(ev.data.plannedAt);
      if (typeof ev.data.reviewDueAt === 'string') row.review_due_at = ev.data.reviewDueAt;
      break;
    case 'InterventionDelivered':
      row.status = 'implementing';
      notes(ev.data.personal);
      added = fact('delivered', `${String(ev.data.deliveredOn)}T00:00:00+07:00`, { on_time: ev.data.onTime === true, service_type: str(ev.data.serviceType) });
      added.occurred_on = String(ev.data.deliveredOn);
      break;
    case 'CaseReviewed':
      row.status = 'reviewed';
      row.reviewed_at = str(ev.data.reviewedAt);
      if (typeof ev.data.riskLevel === 'string') row.risk_level = ev.data.riskLevel;
      notes(ev.data.personal);
      break;
    case 'CaseClosed':
      row.status = 'closed';
      row.closed_at = str(ev.data.closedAt);
      row.outcome = str(ev.data.outcome);
      added = fact('closed', row.closed_at ?? at);
      break;
    case 'CaseReopened':
      row.status = 'report_received';
      row.reopened_count += 1;
      row.assessment_due_at = str(ev.data.assessmentDueAt);
      row.closed_at = null;
      row.outcome = null;
      added = fact('reopened', str(ev.data.reopenedAt) ?? at);
      break;
    case 'CaseAssigned':
      row.assignee_id = str(ev.data.assigneeId);
      row.assigned_at = str(ev.data.assignedAt);
      break;
    case 'CaseReferred':
    case undefined:
      break;
    default: {
      // Every case event of the domain is handled above: a new one fails to compile here.
      const unhandled: never = ev;
      void unhandled;
      break;
    }
  }
  row.next_due_at = nextDueAt(row);
  return { row, fact: added };
}

function describe(p: { description?: string } | null | undefined): Record<string, unknown> | null {
  if (!p || typeof p !== 'object') return {};
  return typeof p.description === 'string' ? { description: p.description } : {};
}

/** Protection cases (step, deadlines) and the case facts indicators count (opened, assessed on time, delivered, closed). */
export const casesProjection: Projection = {
  name: 'cases',
  tables: ['rm_cases', 'rm_case_facts'],
  async apply(events: readonly RecordedEvent[], tx: ClientBase, ctx: ProjectionContext): Promise<void> {
    const mine = events.filter((e) => e.streamId.startsWith('case-') || e.type === 'ChildPersonalDataErased');
    if (mine.length === 0) return;
    const cases = new RowSet<CaseRow>('rm_cases', ['case_id']);
    const caseIds = [...new Set(mine.filter((e) => e.streamId.startsWith('case-')).map((e) => e.streamId.slice('case-'.length)))];
    const erasedChildren = [
      ...new Set(
        mine.flatMap((e) => {
          const ev = asChildEvent(e);
          return ev?.type === 'ChildPersonalDataErased' ? [ev.data.childId] : [];
        }),
      ),
    ];
    // A case whose stream starts in this batch has no row yet.
    const started = streamsStartedIn(mine);
    await cases.load(
      tx,
      ctx,
      'case_id',
      caseIds.filter((id) => !started.has(`case-${id}`)),
    );
    await cases.load(tx, ctx, 'child_id', erasedChildren);
    const facts: CaseFactRow[] = [];
    for (const e of mine) {
      const erasure = asChildEvent(e);
      if (erasure?.type === 'ChildPersonalDataErased') {
        // The child's erasure reaches every case of the child, including cases opened earlier in this batch.
        const childId = erasure.data.childId;
        for (const row of [...cases.all()].filter((r) => r.child_id === childId)) {
          row.personal = null;
          row.personal_erased = true;
          cases.touch(row);
        }
        continue;
      }
      const caseId = e.streamId.slice('case-'.length);
      const { row, fact } = evolveCase(cases.get({ case_id: caseId }), e);
      // The row of a case whose stream starts here is new: appended rather than upserted.
      if (row && started.has(e.streamId)) cases.add(row);
      else if (row) cases.put(row);
      if (fact) facts.push(fact);
    }
    await cases.flush(tx, ctx, CASE_COLUMNS);
    await insertRows(tx, ctx, 'rm_case_facts', FACT_COLUMNS, facts);
  },
};

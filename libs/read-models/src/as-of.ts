import type { RecordedEvent } from '@childledger/event-store';
import { asCaseEvent, asChildEvent } from './events';
import { CaseRow, evolveCase } from './projections/cases.projection';
import { ChildDoc, ChildRow, evolveChild } from './projections/children.projection';
import { addDays, vietnamDay } from './projection';
import type { UnitResolver } from './unit-resolver';

export type AsOfTime = 'effective' | 'recorded';

/**
 * The day from which an event holds in the child's life (effective time). Corrections and
 * erasure hold for every day (a corrected name was always the right name; erased data is
 * unreadable in every view); an ended circumstance or risk holds from the day after its last day.
 */
export function effectiveDay(e: RecordedEvent): string {
  const day = (v: unknown) => (typeof v === 'string' ? (v.length === 10 ? v : vietnamDay(v)) : vietnamDay(e.recordedAt));
  // Typed by the domain's child events: a renamed date field fails to compile here.
  const ev = asChildEvent(e);
  switch (ev?.type) {
    case 'ChildDetailsCorrected':
    case 'ChildPersonalDataErased':
      return '0000-01-01';
    case 'ChildRegistered':
      return day(ev.data.residence?.effectiveFrom);
    case 'ResidenceChanged':
    case 'SpecialCircumstanceIdentified':
    case 'RiskIdentified':
      return day(ev.data.effectiveFrom);
    case 'SpecialCircumstanceEnded':
    case 'RiskResolved':
      return addDays(day(ev.data.effectiveTo), 1);
    case 'NationalIdLinked':
      return day(ev.data.linkedAt);
    case 'NationalIdUnlinked':
      return day(ev.data.unlinkedAt);
    case 'IdentityReviewRequested':
      return day(ev.data.requestedAt);
    case 'NoNationalRecordFound':
      return day(ev.data.checkedAt);
    case 'ChildRecordsMerged':
      return day(ev.data.mergedAt);
    case 'ChildRecordsMergeReverted':
      return day(ev.data.revertedAt);
    default:
      return vietnamDay(e.recordedAt);
  }
}

/**
 * A child's record replayed from its stream: as it stood on `date` (effective time: the events
 * whose effective day is on or before it, as known today) or as it was known at the end of `date`
 * (recorded time: the events recorded by then, Vietnam time). Null when nothing applied yet.
 */
export function childAsOf(
  events: readonly RecordedEvent[],
  date: string,
  time: AsOfTime,
  units: UnitResolver,
): { child: ChildRow | null; eventsApplied: number } {
  const doc: ChildDoc = { child: undefined, open: new Map(), queue: new Map() };
  let applied = 0;
  for (const e of events) {
    const holds = time === 'effective' ? effectiveDay(e) <= date : vietnamDay(e.recordedAt) <= date;
    if (!holds) continue;
    evolveChild(doc, e, units);
    applied++;
  }
  return { child: doc.child ?? null, eventsApplied: applied };
}

/**
 * The day from which a case event holds (effective time): the day the report was received, the
 * day a service was delivered, else the day the step was taken (the decider stamps it with the
 * command's clock). Vietnam days.
 */
export function caseEventDay(e: RecordedEvent): string {
  const day = (v: unknown) => (typeof v === 'string' ? (v.length === 10 ? v : vietnamDay(v)) : vietnamDay(e.recordedAt));
  const ev = asCaseEvent(e);
  switch (ev?.type) {
    case 'CaseOpened':
      return day(ev.data.reportedAt ?? ev.data.openedAt);
    case 'CaseAssessed':
      return day(ev.data.assessedAt);
    case 'InterventionPlanned':
      return day(ev.data.plannedAt);
    case 'InterventionDelivered':
      return day(ev.data.deliveredOn);
    case 'CaseReferred':
      return day(ev.data.referredAt);
    case 'CaseReviewed':
      return day(ev.data.reviewedAt);
    case 'CaseClosed':
      return day(ev.data.closedAt);
    case 'CaseReopened':
      return day(ev.data.reopenedAt);
    default:
      return vietnamDay(e.recordedAt);
  }
}

/**
 * A case replayed from its stream with `evolveCase`: as it stood on `date` (effective time) or as
 * it was known at the end of `date` (recorded time, Vietnam days). Null when it was not open yet.
 *
 * A case is a state machine, so in effective time a step holds no earlier than the step recorded
 * before it: a delivery dated before its plan was written down counts from the plan's day. The
 * applied events are then always a prefix of the stream, never a step order the machine forbids
 * (a backdated delivery cannot reopen a case that was closed on that date). Recorded time is the
 * stream's own order, so it is a prefix too.
 *
 * `personalErased`: the child's personal data is erased now (the erasure event is in the child's
 * stream, not the case's); erasure holds in every view, as for a child.
 */
export function caseAsOf(
  events: readonly RecordedEvent[],
  date: string,
  time: AsOfTime,
  options: { personalErased?: boolean } = {},
): { case: CaseRow | null; eventsApplied: number } {
  let row: CaseRow | undefined;
  let applied = 0;
  let floor = '0000-01-01';
  for (const e of events) {
    const own = time === 'effective' ? caseEventDay(e) : vietnamDay(e.recordedAt);
    const day = own > floor ? own : floor;
    if (day > date) break;
    floor = day;
    row = evolveCase(row, e).row;
    applied++;
  }
  if (row && options.personalErased) row = { ...row, personal: null, personal_erased: true };
  return { case: row ?? null, eventsApplied: applied };
}

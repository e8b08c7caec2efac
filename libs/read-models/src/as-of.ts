import type { RecordedEvent } from '@childledger/event-store';
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
  const d = e.data as Record<string, unknown>;
  const day = (v: unknown) => (typeof v === 'string' ? (v.length === 10 ? v : vietnamDay(v)) : vietnamDay(e.recordedAt));
  switch (e.type) {
    case 'ChildDetailsCorrected':
    case 'ChildPersonalDataErased':
      return '0000-01-01';
    case 'ChildRegistered':
      return day((d['residence'] as Record<string, unknown> | undefined)?.['effectiveFrom']);
    case 'ResidenceChanged':
    case 'SpecialCircumstanceIdentified':
    case 'RiskIdentified':
      return day(d['effectiveFrom']);
    case 'SpecialCircumstanceEnded':
    case 'RiskResolved':
      return addDays(day(d['effectiveTo']), 1);
    case 'NationalIdLinked':
      return day(d['linkedAt']);
    case 'NationalIdUnlinked':
      return day(d['unlinkedAt']);
    case 'IdentityReviewRequested':
      return day(d['requestedAt']);
    case 'NoNationalRecordFound':
      return day(d['checkedAt']);
    case 'ChildRecordsMerged':
      return day(d['mergedAt']);
    case 'ChildRecordsMergeReverted':
      return day(d['revertedAt']);
    default:
      return vietnamDay(e.recordedAt);
  }
}

/**
 * A child's record replayed from its stream: as it stood on `date` (effective time: the events
 * whose effective day is on or before it, as known today) or as it was known at the end of `date`
 * (recorded time: the events recorded by then, Vietnam time). Null when nothing applied yet.
 */
export function childAsOf(events: readonly RecordedEvent[], date: string, time: AsOfTime, units: UnitResolver): { child: ChildRow | null; eventsApplied: number } {
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

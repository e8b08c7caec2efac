import { addHours } from '../shared/dates';
import type { ConcernType, ProtectionLevel, RiskLevel } from './case.events';

/**
 * How long each step of a case may take. Configuration, not code (domain.md): the values below are
 * defaults for development and tests, to be set by the programme; they are not a reading of the law.
 */
export interface CaseDeadlines {
  /** Hours from the report (or a reopening) to the initial assessment: the shorter of the level's and the concern's. */
  assessmentHours: { byLevel: Record<ProtectionLevel, number>; byConcern?: Partial<Record<ConcernType, number>> };
  /** Hours from the assessment to the first intervention plan, by assessed risk. */
  planningHours: Record<RiskLevel, number>;
  /** Days from a plan made after an assessment or a review to the next review. */
  reviewDays: number;
}

export const DEFAULT_CASE_DEADLINES: CaseDeadlines = {
  assessmentHours: {
    byLevel: { intervention: 24, support: 72, prevention: 168 },
    // A report of abuse must be assessed within hours, not weeks.
    byConcern: { physical_abuse: 12, sexual_abuse: 12, emotional_abuse: 12, trafficking: 12, exploitation: 24, abandonment: 12 },
  },
  planningHours: { critical: 24, high: 72, medium: 168, low: 336 },
  reviewDays: 90,
};

export function assessmentDueAt(from: Date, concern: ConcernType, level: ProtectionLevel, deadlines: CaseDeadlines): Date {
  const byLevel = deadlines.assessmentHours.byLevel[level];
  const byConcern = deadlines.assessmentHours.byConcern?.[concern];
  return addHours(from, byConcern === undefined ? byLevel : Math.min(byLevel, byConcern));
}

export function planningDueAt(assessedAt: Date, risk: RiskLevel, deadlines: CaseDeadlines): Date {
  return addHours(assessedAt, deadlines.planningHours[risk]);
}

export function reviewDueAt(plannedAt: Date, deadlines: CaseDeadlines): Date {
  return addHours(plannedAt, deadlines.reviewDays * 24);
}

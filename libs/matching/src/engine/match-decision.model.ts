import type { FieldName } from '../comparison/comparison-levels';

export type MatchDecisionKind = 'linked' | 'review' | 'no_match';

/** One field of one candidate, as a data officer reads it. */
export interface FieldExplanation {
  readonly field: FieldName;
  readonly label: string;
  /** Level id, or `missing` when either side does not state the field. */
  readonly level: string;
  readonly description: string;
  /** true: agrees; false: disagrees; null: not compared (missing). */
  readonly agrees: boolean | null;
  /** Contribution to the match weight, in bits (log2 of the likelihood ratio). */
  readonly weight: number;
}

export interface ScoredCandidate {
  readonly personalId: string;
  /** Match weight in bits: the sum of the field weights. */
  readonly weight: number;
  /** Probability that this candidate is the record's person, given all candidates found. */
  readonly probability: number;
  readonly fields: readonly FieldExplanation[];
}

export interface MatchDecision {
  readonly recordRef: string;
  readonly decision: MatchDecisionKind;
  /** The linked resident, or the best candidate for review. */
  readonly personalId?: string;
  /** Match weight of the best candidate (bits); 0 when there is no candidate. */
  readonly score: number;
  readonly probability: number;
  /** Best first, at most five. */
  readonly candidates: readonly ScoredCandidate[];
  /** Per-field agreement of the best candidate plus warnings, in one readable line. */
  readonly explanation: string;
  /** Problems found in the record itself (e.g. an ID that contradicts the birth year). */
  readonly warnings: readonly string[];
}

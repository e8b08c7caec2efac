/** Streams of "not the same child" decisions: one per pair, `duplicate-decision-<a>--<b>` with a < b. */
export const DUPLICATE_DECISION_PREFIX = 'duplicate-decision-';
/**
 * An officer decided that two records are not the same child. On its own stream (not in the child
 * stream's union): it is a fact about a pair. `data.childId` is the pair's first child, so the
 * encrypting store seals `data.personal.reason` under that child's key, like a merge's reason.
 */
export const NOT_DUPLICATES_EVENT = 'ChildRecordsNotDuplicates';

export function orderedPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

export function duplicateDecisionStreamId(a: string, b: string): string {
  const [x, y] = orderedPair(a, b);
  return `${DUPLICATE_DECISION_PREFIX}${x}--${y}`;
}

import { ApiError } from '../../../api';
import type { RegistrySchemas } from '../../../api';

export type PairSummary = RegistrySchemas['schemas']['DuplicatePairSummaryDto'];
export type Pair = RegistrySchemas['schemas']['DuplicatePairDto'];
export type DuplicateRecord = RegistrySchemas['schemas']['DuplicateRecordDto'];
export type MergeSummary = RegistrySchemas['schemas']['MergeSummaryDto'];

/** The form's fields on the pair view (the API's names: `reason`, `survivingChildId`). */
export type DecisionField = 'reason' | 'survivingChildId';

/**
 * The merge command for a pair once the person has chosen the record that survives: the other record
 * becomes its duplicate, and the command goes to the duplicate's stream with its revision as If-Match.
 */
export function mergeRequest(
  pair: Pair,
  survivingChildId: string,
  reason: string,
): { childId: string; survivingChildId: string; reason: string; ifMatch: string } {
  const records = [pair.record, pair.other];
  const surviving = records.find((r) => r.childId === survivingChildId);
  const duplicate = records.find((r) => r.childId !== survivingChildId);
  if (!surviving || !duplicate) throw new Error('survivingChildId must be one of the pair');
  return { childId: duplicate.childId, survivingChildId: surviving.childId, reason: reason.trim(), ifMatch: `"${duplicate.revision}"` };
}

/** The problems the console can see before asking the API (same rules: reason 3–500 characters, a survivor picked for a merge). */
export function localProblems(
  kind: 'merge' | 'notSame' | 'revert',
  reason: string,
  survivingChildId: string | undefined,
): { field: DecisionField; key: 'reasonRule' | 'pickSurvivor' }[] {
  const out: { field: DecisionField; key: 'reasonRule' | 'pickSurvivor' }[] = [];
  if (kind === 'merge' && !survivingChildId) out.push({ field: 'survivingChildId', key: 'pickSurvivor' });
  const r = reason.trim();
  if (r.length < 3 || r.length > 500) out.push({ field: 'reason', key: 'reasonRule' });
  return out;
}

/** An API refusal split into the problems of the form's fields and one message for the rest. */
export function splitProblems(
  err: unknown,
  fields: readonly DecisionField[] = ['reason', 'survivingChildId'],
): { byField: Partial<Record<DecisionField, string[]>>; rest: string | undefined; conflict: boolean } {
  if (!(err instanceof ApiError)) return { byField: {}, rest: err instanceof Error ? err.message : String(err), conflict: false };
  const byField: Partial<Record<DecisionField, string[]>> = {};
  const rest: string[] = [];
  for (const p of err.problems) {
    const f = fields.find((x) => p.field === x);
    if (f) (byField[f] ??= []).push(p.message);
    else rest.push(p.message);
  }
  const others = rest.length ? rest.join('; ') : err.problems.length ? undefined : err.message;
  return { byField, rest: others, conflict: err.status === 409 };
}

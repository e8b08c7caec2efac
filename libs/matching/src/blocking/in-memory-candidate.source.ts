import type { CandidateSource } from '../engine/candidate-source.port';
import type { ChildRecordInput, PreparedRecord, PreparedResident, ResidentInput } from '../model/person.model';
import { PersonPreparer } from '../model/person.preparer';
import { DEFAULT_BLOCKING_RULES, type BlockingRule } from './blocking-rules';

/**
 * Residents held in memory and indexed by the blocking rules: for tests, small registries and
 * measuring blocking. (The batch streams residents instead; the national database searches itself.)
 */
export class InMemoryCandidateSource implements CandidateSource {
  private readonly index = new Map<string, number[]>();
  private readonly prepared: PreparedResident[];

  constructor(
    private readonly residents: readonly ResidentInput[],
    private readonly preparer: PersonPreparer = new PersonPreparer(),
    readonly rules: readonly BlockingRule[] = DEFAULT_BLOCKING_RULES,
  ) {
    this.prepared = residents.map((r) => preparer.prepareResident(r));
    this.prepared.forEach((r, i) => {
      for (const rule of rules)
        for (const key of rule.residentKeys(r)) {
          const list = this.index.get(key);
          if (list) list.push(i);
          else this.index.set(key, [i]);
        }
    });
  }

  async findCandidates(record: ChildRecordInput): Promise<readonly ResidentInput[]> {
    return this.candidateIndexes(this.preparer.prepareRecord(record)).map((i) => this.residents[i] as ResidentInput);
  }

  /** Prepared candidates of a prepared record. */
  candidatesOf(record: PreparedRecord): PreparedResident[] {
    return this.candidateIndexes(record).map((i) => this.prepared[i] as PreparedResident);
  }

  /** Indexes of candidate residents, and which rules found each (bit r = rules[r]). */
  candidateHits(record: PreparedRecord): Map<number, number> {
    const hits = new Map<number, number>();
    this.rules.forEach((rule, r) => {
      for (const key of rule.recordKeys(record)) for (const i of this.index.get(key) ?? []) hits.set(i, (hits.get(i) ?? 0) | (1 << r));
    });
    return hits;
  }

  private candidateIndexes(record: PreparedRecord): number[] {
    return [...this.candidateHits(record).keys()];
  }
}

export interface BlockingMeasurement {
  readonly records: number;
  readonly recordsWithTrueResident: number;
  /** Share of true pairs kept by the union of all rules. */
  readonly recall: number;
  readonly pairsPerRecord: number;
  readonly byRule: readonly { readonly rule: string; readonly recall: number; readonly pairsPerRecord: number }[];
}

/** Blocking recall and pairs per record, for the union of rules and for each rule alone. */
export function measureBlocking(
  records: readonly ChildRecordInput[],
  truth: ReadonlyMap<string, string>,
  source: InMemoryCandidateSource,
  preparer: PersonPreparer,
  residentIds: readonly string[],
): BlockingMeasurement {
  const rules = source.rules;
  let withTruth = 0;
  let found = 0;
  let pairs = 0;
  const ruleFound = new Array<number>(rules.length).fill(0);
  const rulePairs = new Array<number>(rules.length).fill(0);
  for (const record of records) {
    const hits = source.candidateHits(preparer.prepareRecord(record));
    pairs += hits.size;
    for (const mask of hits.values()) for (let r = 0; r < rules.length; r++) if (mask & (1 << r)) rulePairs[r] = (rulePairs[r] ?? 0) + 1;
    const trueId = truth.get(record.recordRef);
    if (!trueId) continue;
    withTruth++;
    let mask = 0;
    for (const [i, m] of hits) if (residentIds[i] === trueId) mask = m;
    if (mask) found++;
    for (let r = 0; r < rules.length; r++) if (mask & (1 << r)) ruleFound[r] = (ruleFound[r] ?? 0) + 1;
  }
  const ratio = (a: number, b: number) => (b ? a / b : 1);
  return {
    records: records.length,
    recordsWithTrueResident: withTruth,
    recall: ratio(found, withTruth),
    pairsPerRecord: ratio(pairs, records.length),
    byRule: rules.map((rule, r) => ({
      rule: rule.name,
      recall: ratio(ruleFound[r] ?? 0, withTruth),
      pairsPerRecord: ratio(rulePairs[r] ?? 0, records.length),
    })),
  };
}

import type { AdminUnitLookup } from '../comparison/admin-unit-lookup.port';
import { COMPARISONS, DATE_LEVEL, FIELD_COUNT, MISSING, PERSONAL_ID_LEVEL, comparePair, identifiesChildByDate } from '../comparison/comparison-levels';
import { FellegiSunterModel } from '../model/fellegi-sunter.model';
import type { ChildRecordInput, PreparedRecord, PreparedResident, ResidentInput } from '../model/person.model';
import { PersonPreparer } from '../model/person.preparer';
import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';
import type { CandidateSource } from './candidate-source.port';
import type { FieldExplanation, MatchDecision, MatchDecisionKind, ScoredCandidate } from './match-decision.model';

const MAX_LISTED_CANDIDATES = 5;

/**
 * Probability of each candidate being the record's person, assuming at most one is: candidate k has
 * odds O_k = prior odds × 2^weight_k, and P_k = O_k / (1 + Σ O). Two equally good candidates (twins,
 * namesakes born the same day) therefore each get at most one half, and go to review.
 */
export function candidateProbabilities(weights: readonly number[], priorBits: number): number[] {
  const odds = weights.map((w) => candidateOdds(w, priorBits));
  const total = 1 + odds.reduce((a, b) => a + b, 0);
  return odds.map((o) => oddsProbability(o, total));
}

/** O_k of candidateProbabilities. */
export function candidateOdds(weight: number, priorBits: number): number {
  return 2 ** Math.min(priorBits + weight, 1000);
}

/** P_k of candidateProbabilities from O_k and 1 + Σ O (summed in candidate order from 0, then 1 added). */
export function oddsProbability(odds: number, total: number): number {
  return Number.isFinite(total) ? odds / total : odds === Infinity ? 1 : 0;
}

const NAME_FIELD = COMPARISONS.findIndex((c) => c.field === 'name');
const DOB_FIELD = COMPARISONS.findIndex((c) => c.field === 'dateOfBirth');
const ID_FIELD = COMPARISONS.findIndex((c) => c.field === 'personalId');
const SEX_FIELD = COMPARISONS.findIndex((c) => c.field === 'sex');
const SEX_DIFFERENT = COMPARISONS[SEX_FIELD]?.levels.findIndex((l) => l.id === 'different');
const agrees = (field: number, level: number | undefined) => level !== undefined && level !== MISSING && (COMPARISONS[field]?.levels[level]?.agrees ?? false);

/**
 * Parents, commune and family name identify a household, not a child: a sibling agrees on all of
 * them. Whatever the weight, a link therefore needs the child's own name and date of birth to agree
 * (at some level), or the personal ID to agree (exactly, or with one typo) with one of them.
 * `identifiesChildByDate` says which date levels tell a child from its siblings (within a month
 * does: only a twin is born that close, and a twin has the same day); a record with no date of
 * birth is identified by its name alone, since a sibling's given name differs. These two weak
 * cases need the sexes not to differ: a brother and a sister may share a given name (measured: a
 * sister linked to her brother, once with no date in 20,000 records, once within a month in
 * 100,000).
 */
export function identifiesChild(vector: ArrayLike<number>): boolean {
  const id = vector[ID_FIELD];
  const idAgrees = id === PERSONAL_ID_LEVEL.exact || id === PERSONAL_ID_LEVEL.one_digit_off || id === PERSONAL_ID_LEVEL.transposed;
  const name = agrees(NAME_FIELD, vector[NAME_FIELD]);
  const dobLevel = vector[DOB_FIELD] ?? MISSING;
  const dob = identifiesChildByDate(dobLevel);
  const weakDate = dobLevel === MISSING || dobLevel === DATE_LEVEL.within_a_month;
  const nameAndDate = name && (weakDate ? vector[SEX_FIELD] !== SEX_DIFFERENT : dob);
  return nameAndDate || (idAgrees && (name || dob));
}

/** linked / review / no_match from the best candidate's probability and its comparison vector. */
export function decisionFor(probability: number, model: FellegiSunterModel, vector?: ArrayLike<number>): MatchDecisionKind {
  if (probability >= model.thresholds.link && (!vector || identifiesChild(vector))) return 'linked';
  if (probability >= model.thresholds.review) return 'review';
  return 'no_match';
}

export function explainFields(model: FellegiSunterModel, vector: ArrayLike<number>, residentName?: VietnameseNameParts): FieldExplanation[] {
  return model.fieldWeights(vector, residentName).map((fw, f) => {
    const c = COMPARISONS[f] as (typeof COMPARISONS)[number];
    const level = fw.level === MISSING ? undefined : c.levels[fw.level];
    return {
      field: c.field,
      label: c.label,
      level: level?.id ?? 'missing',
      description: level?.description ?? 'not stated on one side',
      agrees: level ? level.agrees : null,
      weight: Math.round(fw.weight * 100) / 100,
    };
  });
}

export function explanationText(fields: readonly FieldExplanation[], warnings: readonly string[]): string {
  const parts = fields.map((f) =>
    f.agrees === null ? `${f.label}: not compared (${f.description})` : `${f.label}: ${f.description} (${f.weight >= 0 ? '+' : ''}${f.weight.toFixed(1)})`,
  );
  return [...parts, ...warnings.map((w) => `Warning: ${w}`)].join('; ');
}

export function recordWarnings(record: PreparedRecord): string[] {
  const warnings: string[] = [];
  if (record.idInconsistency) warnings.push(`stated personal ID does not fit the record (${record.idInconsistency}); it may be a parent's ID`);
  return warnings;
}

/**
 * Scores candidates with a Fellegi–Sunter model and decides linked / review / no_match, with an
 * explanation. Knows nothing about where candidates come from.
 */
export class MatchEngine {
  readonly preparer: PersonPreparer;

  constructor(
    readonly model: FellegiSunterModel = FellegiSunterModel.withPriors(),
    units?: AdminUnitLookup,
  ) {
    this.preparer = new PersonPreparer(units);
  }

  async match(record: ChildRecordInput, source: CandidateSource): Promise<MatchDecision> {
    return this.decide(record, await source.findCandidates(record));
  }

  decide(record: ChildRecordInput, candidates: readonly ResidentInput[]): MatchDecision {
    const prepared = this.preparer.prepareRecord(record);
    return this.decidePrepared(
      prepared,
      candidates.map((c) => this.preparer.prepareResident(c)),
    );
  }

  decidePrepared(record: PreparedRecord, residents: readonly PreparedResident[]): MatchDecision {
    const seen = new Set<string>();
    const unique = residents.filter((r) => !seen.has(r.personalId) && seen.add(r.personalId));
    const vectors = unique.map((r) => comparePair(record, r, new Int8Array(FIELD_COUNT)));
    const weights = unique.map((r, i) => this.model.matchWeight(vectors[i] as Int8Array, r.name));
    const probabilities = candidateProbabilities(weights, this.model.priorBits);
    const order = unique.map((_, i) => i).sort((a, b) => (weights[b] ?? 0) - (weights[a] ?? 0));
    const scored: ScoredCandidate[] = order.slice(0, MAX_LISTED_CANDIDATES).map((i) => ({
      personalId: (unique[i] as PreparedResident).personalId,
      weight: round(weights[i] ?? 0),
      probability: probabilities[i] ?? 0,
      fields: explainFields(this.model, vectors[i] as Int8Array, (unique[i] as PreparedResident).name),
    }));
    const warnings = recordWarnings(record);
    const best = scored[0];
    if (!best) {
      return {
        recordRef: record.recordRef,
        decision: 'no_match',
        score: 0,
        probability: 0,
        candidates: [],
        explanation: ['No candidate resident found', ...warnings.map((w) => `Warning: ${w}`)].join('; '),
        warnings,
      };
    }
    const decision = decisionFor(best.probability, this.model, vectors[order[0] as number]);
    return {
      recordRef: record.recordRef,
      decision,
      personalId: decision === 'no_match' ? undefined : best.personalId,
      score: best.weight,
      probability: best.probability,
      candidates: scored,
      explanation: explanationText(best.fields, warnings),
      warnings,
    };
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

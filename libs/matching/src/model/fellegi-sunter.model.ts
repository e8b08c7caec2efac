import { COMPARISONS, DATE_LEVEL, FIELD_COUNT, MISSING, NAME_LEVEL, type FieldName } from '../comparison/comparison-levels';
import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';
import { NameFrequencyTable, type NameFrequencyJson } from './name-frequency.table';

export interface LevelParameters {
  readonly id: string;
  /** P(level | the pair is the same person) */
  readonly m: number;
  /** P(level | the pair is two different people) */
  readonly u: number;
}

export interface MatchThresholds {
  /** Minimum probability (among the record's candidates) of the best candidate to link automatically. */
  readonly link: number;
  /** Minimum probability of the best candidate to send it to a data officer; below is `no_match`. */
  readonly review: number;
}

export interface MatchModelJson {
  readonly format: 'childledger-match-model';
  readonly version: 1;
  /** Prior probability that a random (record, resident) pair is a match: about (share of records with a national record) / (residents). */
  readonly lambda: number;
  readonly thresholds: MatchThresholds;
  readonly comparisons: readonly { readonly field: FieldName; readonly levels: readonly LevelParameters[] }[];
  readonly termFrequencies: NameFrequencyJson;
  readonly training?: Record<string, number | string | boolean>;
}

/**
 * Defaults chosen for precision first: a link needs the best candidate to be at least 99.5% likely
 * once the other candidates are accounted for; anything from 20% goes to review. See docs/matching.md.
 */
export const DEFAULT_THRESHOLDS: MatchThresholds = { link: 0.995, review: 0.2 };

// Starting values for EM and the model used before any fit. m: how often the level occurs for a true
// match with noisy spreadsheets; u: for two random people. Both are re-estimated from data.
const PRIOR: Record<FieldName, readonly (readonly [number, number])[]> = {
  name: [
    [0.55, 1e-4],
    [0.25, 1e-4],
    [0.01, 1e-5],
    [0.08, 5e-5],
    [0.005, 1e-5],
    [0.06, 5e-4],
    [0.03, 0.01],
    [0.005, 0.01],
    [0.01, 0.98],
  ],
  dateOfBirth: [
    [0.8, 2e-4],
    [0.04, 2e-5],
    [0.05, 3e-3],
    [0.01, 0.01],
    [0.02, 0.002],
    [0.03, 0.03],
    [0.02, 0.03],
    [0.03, 0.93],
  ],
  sex: [
    [0.98, 0.5],
    [0.02, 0.5],
  ],
  personalId: [
    [0.85, 1e-6],
    [0.005, 1e-5],
    [0.04, 1e-5],
    [0.01, 1e-5],
    [0.01, 1e-6],
    [0.03, 1e-6],
    [0.01, 0.2],
    [0.045, 0.79],
  ],
  place: [
    [0.85, 0.001],
    [0.03, 0.0005],
    [0.08, 0.03],
    [0.04, 0.97],
  ],
  father: [
    [0.8, 1e-4],
    [0.1, 0.001],
    [0.02, 0.01],
    [0.08, 0.99],
  ],
  mother: [
    [0.8, 1e-4],
    [0.1, 0.001],
    [0.02, 0.01],
    [0.08, 0.99],
  ],
};

/** Smallest m after EM: about −9 bits for a disagreement that random pairs show almost always. */
export const M_FLOOR = 0.002;

export interface FieldWeight {
  readonly field: FieldName;
  readonly level: number;
  readonly weight: number;
}

export interface EmFitResult {
  readonly iterations: number;
  readonly converged: boolean;
  readonly lambda: number;
  /** Log-likelihood after each iteration (non-decreasing for a correct EM). */
  readonly logLikelihood: readonly number[];
}

/**
 * The Fellegi–Sunter model: per comparison level, m and u probabilities; weight = log2(m/u);
 * a pair's match weight is the sum over fields, plus the term-frequency adjustment for names.
 */
export class FellegiSunterModel {
  private weights: Float64Array[] = [];

  constructor(
    private m: number[][],
    private u: number[][],
    private lambda: number,
    readonly thresholds: MatchThresholds = DEFAULT_THRESHOLDS,
    readonly frequencies: NameFrequencyTable = NameFrequencyTable.empty(),
    public training: Record<string, number | string | boolean> = {},
  ) {
    this.recomputeWeights();
  }

  static withPriors(thresholds: MatchThresholds = DEFAULT_THRESHOLDS): FellegiSunterModel {
    const m = COMPARISONS.map((c) => normalise(PRIOR[c.field].map(([mv]) => mv)));
    const u = COMPARISONS.map((c) => normalise(PRIOR[c.field].map(([, uv]) => uv)));
    return new FellegiSunterModel(m, u, 1e-6, thresholds);
  }

  static fromJson(json: MatchModelJson): FellegiSunterModel {
    if (json.format !== 'childledger-match-model' || json.version !== 1) throw new Error('Not a ChildLedger match model (version 1)');
    const m: number[][] = [];
    const u: number[][] = [];
    for (const c of COMPARISONS) {
      const saved = json.comparisons.find((s) => s.field === c.field);
      const ids = c.levels.map((l) => l.id).join(',');
      if (!saved || saved.levels.map((l) => l.id).join(',') !== ids) {
        throw new Error(`Model file does not match the comparison levels of field ${c.field} (expected ${ids})`);
      }
      m.push(saved.levels.map((l) => l.m));
      u.push(saved.levels.map((l) => l.u));
    }
    return new FellegiSunterModel(m, u, json.lambda, json.thresholds, NameFrequencyTable.fromJson(json.termFrequencies), json.training ?? {});
  }

  toJson(): MatchModelJson {
    return {
      format: 'childledger-match-model',
      version: 1,
      lambda: this.lambda,
      thresholds: this.thresholds,
      comparisons: COMPARISONS.map((c, f) => ({
        field: c.field,
        levels: c.levels.map((l, i) => ({ id: l.id, m: this.m[f]?.[i] ?? 0, u: this.u[f]?.[i] ?? 0 })),
      })),
      termFrequencies: this.frequencies.toJson(),
      training: this.training,
    };
  }

  withThresholds(thresholds: MatchThresholds): FellegiSunterModel {
    return new FellegiSunterModel(this.m, this.u, this.lambda, thresholds, this.frequencies, this.training);
  }

  withFrequencies(frequencies: NameFrequencyTable): FellegiSunterModel {
    return new FellegiSunterModel(this.m, this.u, this.lambda, this.thresholds, frequencies, this.training);
  }

  get priorMatchProbability(): number {
    return this.lambda;
  }

  parameters(field: FieldName): { m: readonly number[]; u: readonly number[] } {
    const f = COMPARISONS.findIndex((c) => c.field === field);
    return { m: this.m[f] ?? [], u: this.u[f] ?? [] };
  }

  levelWeight(fieldIndex: number, level: number): number {
    if (level === MISSING) return 0;
    return this.weights[fieldIndex]?.[level] ?? 0;
  }

  /** Per-field weights of one comparison vector; `residentName` enables the term-frequency adjustment. */
  fieldWeights(vector: ArrayLike<number>, residentName?: VietnameseNameParts): FieldWeight[] {
    const out: FieldWeight[] = [];
    for (let f = 0; f < FIELD_COUNT; f++) {
      const level = vector[f] ?? MISSING;
      let weight = this.levelWeight(f, level);
      if (f === 0 && residentName) weight += this.nameFrequencyAdjustment(level, residentName);
      out.push({ field: (COMPARISONS[f] as (typeof COMPARISONS)[number]).field, level, weight });
    }
    return out;
  }

  matchWeight(vector: ArrayLike<number>, residentName?: VietnameseNameParts): number {
    let w = 0;
    for (let f = 0; f < FIELD_COUNT; f++) w += this.levelWeight(f, vector[f] ?? MISSING);
    if (residentName) w += this.nameFrequencyAdjustment(vector[0] ?? MISSING, residentName);
    return w;
  }

  nameFrequencyAdjustment(level: number, name: VietnameseNameParts): number {
    if (level === MISSING) return 0;
    if (level <= NAME_LEVEL.middle_name_missing) return this.frequencies.adjustment(name.familyFolded, name.givenFolded, 'full');
    if (level === NAME_LEVEL.given_name_only) return this.frequencies.adjustment(name.familyFolded, name.givenFolded, 'given');
    return 0;
  }

  /**
   * Sets the prior from the expected number of matches (e.g. EM's match share × candidate pairs)
   * among all record × resident pairs.
   */
  setMatchPrior(expectedMatches: number, records: number, residents: number): void {
    const pairs = Math.max(1, records * residents);
    this.lambda = Math.min(0.5, Math.max(1e-12, Math.min(expectedMatches, records) / pairs));
    this.training = { ...this.training, records, residents, expectedMatches: Math.round(expectedMatches) };
  }

  /** Prior odds, in bits, that a candidate pair is a match. */
  get priorBits(): number {
    return Math.log2(this.lambda / (1 - this.lambda));
  }

  /**
   * Estimates u from comparison vectors of random pairs (almost all non-matches): the share of each
   * level among pairs where the field is present, with add-half smoothing so that no u is zero.
   */
  estimateU(randomVectors: Int8Array): void {
    const n = randomVectors.length / FIELD_COUNT;
    this.u = COMPARISONS.map((c, f) => {
      const counts = new Array<number>(c.levels.length).fill(0);
      let present = 0;
      for (let i = 0; i < n; i++) {
        const l = randomVectors[i * FIELD_COUNT + f] ?? MISSING;
        if (l === MISSING) continue;
        counts[l] = (counts[l] ?? 0) + 1;
        present++;
      }
      if (present < 50) return this.u[f] ?? [];
      return counts.map((k) => (k + 0.5) / (present + 0.5 * c.levels.length));
    });
    this.training = { ...this.training, randomPairs: n };
    this.recomputeWeights();
  }

  /**
   * Estimates m by expectation–maximisation on the candidate pairs themselves; u stays the one of
   * random pairs. A single EM over all candidate pairs tends to learn "same household" instead of
   * "same person" (siblings agree on family name, parents and commune), so, as in Splink, m is
   * estimated in sessions that each leave out the field they condition on:
   * 1. pairs with the same date of birth → m of every field but the date;
   * 2. pairs with the same name (accents ignored) → m of every field but the name;
   * then, with m fixed, one EM over all pairs estimates the share of matches among them (λ).
   * Identical vectors are grouped first, so millions of pairs cost little.
   */
  fitEm(vectors: Int8Array, options: { maxIterations?: number; tolerance?: number } = {}): EmFitResult {
    const nameField = COMPARISONS.findIndex((c) => c.field === 'name');
    const dobField = COMPARISONS.findIndex((c) => c.field === 'dateOfBirth');
    const sessions = [
      { leaveOut: dobField, select: (v: Int8Array) => v[dobField] === DATE_LEVEL.exact },
      { leaveOut: nameField, select: (v: Int8Array) => v[nameField] === NAME_LEVEL.exact || v[nameField] === NAME_LEVEL.exact_without_diacritics },
    ];
    const mSum = COMPARISONS.map((c) => new Array<number>(c.levels.length).fill(0));
    const weightSum = new Array<number>(FIELD_COUNT).fill(0);
    const logLikelihood: number[] = [];
    let iterations = 0;
    let converged = true;
    const sessionInfo: Record<string, number> = {};
    // A session's groups are those of all pairs that it selects, in the same order: selecting looks
    // at the vector only, so each group's first pair is also the first of the session's.
    const all = groupVectors(vectors);
    for (const [k, session] of sessions.entries()) {
      const groups = all.filter((g) => session.select(g.vector));
      const pairs = groups.reduce((a, g) => a + g.count, 0);
      sessionInfo[`emSession${k + 1}Pairs`] = pairs;
      if (pairs < 50) continue;
      const active = COMPARISONS.map((_, f) => f !== session.leaveOut);
      const fit = runEm(groups, this.m, this.u, 0.5, active, true, options);
      iterations += fit.iterations;
      converged &&= fit.converged;
      logLikelihood.push(...fit.logLikelihood);
      const mass = fit.lambda * pairs;
      sessionInfo[`emSession${k + 1}MatchShare`] = fit.lambda;
      fit.m.forEach((row, f) => {
        if (!active[f]) return;
        row.forEach((x, i) => ((mSum[f] as number[])[i] = ((mSum[f] as number[])[i] ?? 0) + x * mass));
        weightSum[f] = (weightSum[f] ?? 0) + mass;
      });
    }
    // Floor: a level the training data never shows for matches (a child who moved province, a
    // sibling's ID in the column) must weigh against a link, not veto it outright.
    this.m = this.m.map((row, f) =>
      (weightSum[f] ?? 0) > 0 ? normalise((mSum[f] as number[]).map((x) => Math.max(M_FLOOR, x / (weightSum[f] as number)))) : row,
    );
    const final = runEm(
      all,
      this.m,
      this.u,
      0.1,
      COMPARISONS.map(() => true),
      false,
      options,
    );
    this.training = {
      ...this.training,
      ...sessionInfo,
      candidatePairMatchShare: final.lambda,
      candidatePairs: vectors.length / FIELD_COUNT,
      distinctVectors: all.length,
      emIterations: iterations + final.iterations,
      emConverged: converged && final.converged,
    };
    this.recomputeWeights();
    return { iterations: iterations + final.iterations, converged: converged && final.converged, lambda: final.lambda, logLikelihood };
  }

  private recomputeWeights(): void {
    this.weights = COMPARISONS.map((c, f) =>
      Float64Array.from(c.levels, (_, i) => Math.log2(Math.max(this.m[f]?.[i] ?? 0, 1e-12) / Math.max(this.u[f]?.[i] ?? 0, 1e-12))),
    );
  }
}

function normalise(row: readonly number[]): number[] {
  const s = row.reduce((a, b) => a + b, 0);
  return row.map((x) => (s > 0 ? x / s : 1 / row.length));
}

interface VectorGroup {
  readonly vector: Int8Array;
  count: number;
}

function groupVectors(vectors: Int8Array): VectorGroup[] {
  // Each level + 1 fits in 4 bits (MISSING = -1 → 0), so a vector packs into one small integer.
  const patterns = new Map<number, VectorGroup>();
  for (let at = 0; at < vectors.length; at += FIELD_COUNT) {
    let key = 0;
    for (let f = 0; f < FIELD_COUNT; f++) key = key * 16 + ((vectors[at + f] as number) + 1);
    const p = patterns.get(key);
    if (p) p.count++;
    else patterns.set(key, { vector: vectors.slice(at, at + FIELD_COUNT), count: 1 });
  }
  return [...patterns.values()];
}

/**
 * Two-class EM. Non-matches among candidate pairs agree far more often than random pairs (that is
 * what blocking selects), so EM models them with their own u; the model keeps the u of random pairs.
 */
function runEm(
  groups: readonly VectorGroup[],
  mInit: readonly (readonly number[])[],
  uInit: readonly (readonly number[])[],
  lambdaInit: number,
  active: readonly boolean[],
  updateM: boolean,
  options: { maxIterations?: number; tolerance?: number },
): { m: number[][]; lambda: number; iterations: number; converged: boolean; logLikelihood: number[] } {
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-7;
  const n = groups.reduce((a, g) => a + g.count, 0);
  let lambda = lambdaInit;
  let m = mInit.map((row) => [...row]);
  let u = uInit.map((row) => [...row]);
  const logLikelihood: number[] = [];
  let iterations = 0;
  let converged = false;
  // m and u each in one flat array (field f's levels from offsets[f]), and for each group the
  // place of each field it counts in (-1: missing or not active), so that the loop over the groups,
  // run every iteration, reads typed arrays only. It multiplies and adds as the per-field rows did.
  const offsets = new Int32Array(FIELD_COUNT + 1);
  for (let f = 0; f < FIELD_COUNT; f++) offsets[f + 1] = (offsets[f] as number) + (m[f] as number[]).length;
  const cells = new Int32Array(groups.length * FIELD_COUNT).fill(-1);
  const counts = new Float64Array(groups.length);
  groups.forEach(({ vector, count }, g) => {
    counts[g] = count;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const l = vector[f] as number;
      if (l !== MISSING && active[f]) cells[g * FIELD_COUNT + f] = (offsets[f] as number) + l;
    }
  });
  const flat = (rows: readonly (readonly number[])[]) => Float64Array.from(rows.flat());
  const rowsOf = (values: Float64Array) => Array.from({ length: FIELD_COUNT }, (_, f) => Array.from(values.subarray(offsets[f], offsets[f + 1])));
  for (; iterations < maxIterations; iterations++) {
    const mFlat = flat(m);
    const uFlat = flat(u);
    const mSum = new Float64Array(mFlat.length);
    const uSum = new Float64Array(uFlat.length);
    let matchMass = 0;
    let ll = 0;
    for (let g = 0; g < groups.length; g++) {
      const count = counts[g] as number;
      let pm = lambda;
      let pu = 1 - lambda;
      for (let f = 0; f < FIELD_COUNT; f++) {
        const c = cells[g * FIELD_COUNT + f] as number;
        if (c < 0) continue;
        pm *= mFlat[c] as number;
        pu *= uFlat[c] as number;
      }
      const total = pm + pu;
      ll += count * Math.log(total > 0 ? total : Number.MIN_VALUE);
      const share = total > 0 ? pm / total : 0;
      matchMass += share * count;
      for (let f = 0; f < FIELD_COUNT; f++) {
        const c = cells[g * FIELD_COUNT + f] as number;
        if (c < 0) continue;
        mSum[c] = (mSum[c] as number) + share * count;
        uSum[c] = (uSum[c] as number) + (1 - share) * count;
      }
    }
    const mAcc = rowsOf(mSum);
    const uAcc = rowsOf(uSum);
    // Small pseudo-counts keep every level possible (a level unseen in training must not veto a link).
    const nextM = updateM ? mAcc.map((row, f) => (active[f] ? normalise(row.map((x) => x + 0.01)) : (m[f] as number[]))) : m;
    const nextU = uAcc.map((row, f) => (active[f] ? normalise(row.map((x) => x + 0.01)) : (u[f] as number[])));
    const nextLambda = Math.min(0.999, Math.max(1e-6, matchMass / Math.max(1, n)));
    let delta = Math.abs(nextLambda - lambda);
    nextM.forEach((row, f) => row.forEach((x, i) => (delta = Math.max(delta, Math.abs(x - (m[f]?.[i] ?? 0))))));
    m = nextM;
    u = nextU;
    lambda = nextLambda;
    logLikelihood.push(ll);
    if (delta < tolerance) {
      converged = true;
      iterations++;
      break;
    }
  }
  return { m, lambda, iterations, converged, logLikelihood };
}

import { COMPARISONS, FIELD_COUNT, MISSING, NAME_LEVEL, type FieldName } from '../comparison/comparison-levels';
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
    [0.55, 1e-4], [0.25, 1e-4], [0.01, 1e-5], [0.08, 5e-5], [0.005, 1e-5],
    [0.06, 5e-4], [0.03, 0.01], [0.005, 0.01], [0.01, 0.98],
  ],
  dateOfBirth: [
    [0.8, 2e-4], [0.04, 2e-5], [0.05, 3e-3], [0.01, 0.01], [0.02, 0.002], [0.03, 0.03], [0.02, 0.03], [0.03, 0.93],
  ],
  sex: [[0.98, 0.5], [0.02, 0.5]],
  personalId: [[0.85, 1e-6], [0.005, 1e-5], [0.04, 1e-5], [0.01, 1e-5], [0.01, 1e-6], [0.03, 1e-6], [0.01, 0.2], [0.045, 0.79]],
  place: [[0.85, 0.001], [0.03, 0.0005], [0.08, 0.03], [0.04, 0.97]],
  father: [[0.8, 1e-4], [0.1, 0.001], [0.02, 0.01], [0.08, 0.99]],
  mother: [[0.8, 1e-4], [0.1, 0.001], [0.02, 0.01], [0.08, 0.99]],
};

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
   * Estimates m (and the match share λ) by expectation–maximisation over candidate-pair vectors.
   * The u of random pairs is kept for the weights. Identical vectors are grouped first, so millions of pairs cost little.
   */
  fitEm(vectors: Int8Array, options: { maxIterations?: number; tolerance?: number; initialMatchShare?: number } = {}): EmFitResult {
    const maxIterations = options.maxIterations ?? 200;
    const tolerance = options.tolerance ?? 1e-7;
    // Each level + 1 fits in 4 bits (MISSING = -1 → 0), so a vector packs into one small integer.
    const patterns = new Map<number, { vector: Int8Array; count: number }>();
    const n = vectors.length / FIELD_COUNT;
    for (let i = 0; i < n; i++) {
      let key = 0;
      for (let f = 0; f < FIELD_COUNT; f++) key = key * 16 + ((vectors[i * FIELD_COUNT + f] ?? MISSING) + 1);
      const p = patterns.get(key);
      if (p) p.count++;
      else patterns.set(key, { vector: vectors.slice(i * FIELD_COUNT, (i + 1) * FIELD_COUNT), count: 1 });
    }
    const groups = [...patterns.values()];
    const logLikelihood: number[] = [];
    let lambda = options.initialMatchShare ?? 0.1;
    let m = this.m.map((row) => [...row]);
    // Non-matches among candidate pairs agree far more often than random pairs (that is what blocking
    // selects), so EM models them with its own u; the model keeps the u of random pairs for weights.
    let uBlocked = this.u.map((row) => [...row]);
    let converged = false;
    let iterations = 0;
    for (; iterations < maxIterations; iterations++) {
      const mAcc = COMPARISONS.map((c) => new Array<number>(c.levels.length).fill(0));
      const uAcc = COMPARISONS.map((c) => new Array<number>(c.levels.length).fill(0));
      let matchMass = 0;
      let ll = 0;
      for (const { vector, count } of groups) {
        let pm = lambda;
        let pu = 1 - lambda;
        for (let f = 0; f < FIELD_COUNT; f++) {
          const l = vector[f] ?? MISSING;
          if (l === MISSING) continue;
          pm *= m[f]?.[l] ?? 0;
          pu *= uBlocked[f]?.[l] ?? 0;
        }
        const total = pm + pu;
        ll += count * Math.log(total > 0 ? total : Number.MIN_VALUE);
        const g = total > 0 ? pm / total : 0;
        matchMass += g * count;
        for (let f = 0; f < FIELD_COUNT; f++) {
          const l = vector[f] ?? MISSING;
          if (l === MISSING) continue;
          const row = mAcc[f] as number[];
          row[l] = (row[l] ?? 0) + g * count;
          const urow = uAcc[f] as number[];
          urow[l] = (urow[l] ?? 0) + (1 - g) * count;
        }
      }
      // Small pseudo-counts keep every level possible (a level unseen in training data must not veto a link).
      const nextM = mAcc.map((row) => normalise(row.map((x) => x + 0.01)));
      const nextLambda = Math.min(0.999, Math.max(1e-6, matchMass / n));
      const delta = Math.max(Math.abs(nextLambda - lambda), ...nextM.flatMap((row, f) => row.map((x, i) => Math.abs(x - (m[f]?.[i] ?? 0)))));
      m = nextM;
      uBlocked = uAcc.map((row) => normalise(row.map((x) => x + 0.01)));
      lambda = nextLambda;
      logLikelihood.push(ll);
      if (delta < tolerance) {
        converged = true;
        iterations++;
        break;
      }
    }
    this.m = m;
    this.training = { ...this.training, candidatePairMatchShare: lambda, candidatePairs: n, distinctVectors: groups.length, emIterations: iterations, emConverged: converged };
    this.recomputeWeights();
    return { iterations, converged, lambda, logLikelihood };
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

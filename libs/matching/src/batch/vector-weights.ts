import { FIELD_COUNT } from '../comparison/comparison-levels';
import { candidateOdds } from '../engine/match.engine';
import type { FellegiSunterModel } from '../model/fellegi-sunter.model';
import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';

/**
 * `model.matchWeight` of the records' candidate vectors, and its `candidateOdds`. That weight is
 * the sum of the vector's level weights, plus the record name's frequency adjustment, which depends
 * only on the vector's name level. So the sum is kept per distinct vector for the whole run
 * (millions of pairs show a few thousand vectors) and the adjustment per name level for the record
 * at hand; both are the numbers matchWeight adds, in its order, so the weight is the same to the
 * bit. Where the adjustment is zero (most candidates: their names differ), the odds are those of
 * the sum and are kept with it too (`2 **` cost more than all the rest). `forRecord` starts a record.
 */
export class VectorWeights {
  private readonly index = new Map<number, number>();
  private sums = new Float64Array(1024);
  /** The odds of each sum (NaN: not computed yet). */
  private sumOdds = new Float64Array(1024);
  /** The record's adjustment by name level + 1 (NaN: not computed yet). */
  private readonly adjustments = new Float64Array(16);
  private readonly priorBits: number;
  private name: VietnameseNameParts | undefined;
  /** Weights computed by the model (sums of distinct vectors, and vectors with a level beyond four bits). */
  computed = 0;
  /** The odds of the vector last weighed. */
  odds = 0;

  constructor(private readonly model: FellegiSunterModel) {
    this.priorBits = model.priorBits;
  }

  forRecord(name: VietnameseNameParts | undefined): void {
    this.name = name;
    this.adjustments.fill(NaN);
  }

  /** The weight of the vector at `vectors[p * FIELD_COUNT ...]`; its odds are then in `odds`. */
  weight(vectors: Int8Array, p: number): number {
    const at = p * FIELD_COUNT;
    let code = 0;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const level = vectors[at + f] as number;
      // Four bits a level (-1 to 14): a key of the vector (-1: not one).
      code = code >= 0 && level >= -1 && level < 15 ? code * 16 + level + 1 : -1;
    }
    if (code < 0) {
      this.computed++;
      const w = this.model.matchWeight(vectors.subarray(at, at + FIELD_COUNT), this.name);
      this.odds = candidateOdds(w, this.priorBits);
      return w;
    }
    const k = this.index.get(code) ?? this.add(code, vectors.subarray(at, at + FIELD_COUNT));
    const sum = this.sums[k] as number;
    let adjustment = 0;
    if (this.name) {
      const nameLevel = vectors[at] as number;
      adjustment = this.adjustments[nameLevel + 1] as number;
      if (Number.isNaN(adjustment)) {
        adjustment = this.model.nameFrequencyAdjustment(nameLevel, this.name);
        this.adjustments[nameLevel + 1] = adjustment;
      }
    }
    // With no adjustment the weight is the sum (sum + 0 differs at most in the sign of a zero), so its odds are the sum's.
    const w = this.name ? sum + adjustment : sum;
    if (adjustment !== 0) this.odds = candidateOdds(w, this.priorBits);
    else {
      if (Number.isNaN(this.sumOdds[k] as number)) this.sumOdds[k] = candidateOdds(sum, this.priorBits);
      this.odds = this.sumOdds[k] as number;
    }
    return w;
  }

  private add(code: number, vector: Int8Array): number {
    const k = this.index.size;
    if (k === this.sums.length) {
      const sums = new Float64Array(2 * k);
      sums.set(this.sums);
      this.sums = sums;
      const odds = new Float64Array(2 * k);
      odds.set(this.sumOdds);
      this.sumOdds = odds;
    }
    this.computed++;
    this.sums[k] = this.model.matchWeight(vector);
    this.sumOdds[k] = NaN;
    this.index.set(code, k);
    return k;
  }
}

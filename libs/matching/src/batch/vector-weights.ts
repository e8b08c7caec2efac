import { FIELD_COUNT } from '../comparison/comparison-levels';
import type { FellegiSunterModel } from '../model/fellegi-sunter.model';
import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';

/**
 * `model.matchWeight` of one record's candidate vectors, each distinct vector computed once: the
 * weight is a function of the vector and the record's name only, and a record's candidates often
 * share a vector. `forRecord` starts a record.
 */
export class VectorWeights {
  private readonly weights = new Map<number, number>();
  private readonly vector = new Int8Array(FIELD_COUNT);
  private name: VietnameseNameParts | undefined;
  computed = 0;

  constructor(private readonly model: FellegiSunterModel) {}

  forRecord(name: VietnameseNameParts | undefined): void {
    this.weights.clear();
    this.name = name;
  }

  /** The weight of the vector at `vectors[p * FIELD_COUNT ...]`. */
  weight(vectors: Int8Array, p: number): number {
    const vector = this.vector;
    let code = 0;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const level = vectors[p * FIELD_COUNT + f] as number;
      vector[f] = level;
      // Four bits a level (-1 to 14): a key of the vector (-1: not one).
      code = code >= 0 && level >= -1 && level < 15 ? code * 16 + level + 1 : -1;
    }
    let w = code >= 0 ? this.weights.get(code) : undefined;
    if (w === undefined) {
      this.computed++;
      w = this.model.matchWeight(vector, this.name);
      if (code >= 0) this.weights.set(code, w);
    }
    return w;
  }
}

/**
 * Frequencies of folded family and given names among residents, for the term-frequency adjustment:
 * agreeing on a rare name is stronger evidence than agreeing on "Nguyễn" or "Anh". Only names seen
 * at least `minCount` times are kept, so the table stays small enough to save with the model.
 */
export interface NameFrequencyJson {
  readonly total: number;
  readonly family: Record<string, number>;
  readonly given: Record<string, number>;
}

export class NameFrequencyTable {
  private constructor(
    private readonly total: number,
    private readonly family: Map<string, number>,
    private readonly given: Map<string, number>,
    /** Σ p² over family names: the chance two random people share a family name. */
    private readonly familyCollision: number,
    private readonly givenCollision: number,
  ) {}

  static empty(): NameFrequencyTable {
    return new NameFrequencyTable(0, new Map(), new Map(), 0, 0);
  }

  static fromCounts(total: number, family: Map<string, number>, given: Map<string, number>, minCount = 2): NameFrequencyTable {
    const trim = (m: Map<string, number>) => new Map([...m].filter(([, n]) => n >= minCount));
    const collision = (m: Map<string, number>) => {
      let s = 0;
      for (const n of m.values()) s += (n / total) ** 2;
      return s;
    };
    return new NameFrequencyTable(total, trim(family), trim(given), collision(family), collision(given));
  }

  static fromJson(json: NameFrequencyJson): NameFrequencyTable {
    const family = new Map(Object.entries(json.family));
    const given = new Map(Object.entries(json.given));
    return NameFrequencyTable.fromCounts(json.total, family, given, 0);
  }

  toJson(): NameFrequencyJson {
    return { total: this.total, family: Object.fromEntries(this.family), given: Object.fromEntries(this.given) };
  }

  get size(): number {
    return this.total;
  }

  /**
   * Bits to add to the weight of an agreeing name: log2(average collision chance / this name's
   * frequency), per part, clamped. 0 when the table is empty.
   */
  adjustment(familyFolded: string, givenFolded: string, parts: 'full' | 'given'): number {
    if (this.total === 0) return 0;
    const g = this.partAdjustment(this.given, this.givenCollision, givenFolded);
    if (parts === 'given') return g;
    return g + this.partAdjustment(this.family, this.familyCollision, familyFolded);
  }

  private partAdjustment(counts: Map<string, number>, collision: number, value: string): number {
    if (!value || collision <= 0) return 0;
    // Unseen or rare values count as seen once: a floor that stops one-off typos from weighing a lot.
    const p = Math.max(counts.get(value) ?? 1, 1) / this.total;
    return clamp(Math.log2(collision / p), -3, 3);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

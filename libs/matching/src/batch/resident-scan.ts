import { FIELD_COUNT } from '../comparison/comparison-levels';
import type { BlockingRule } from '../blocking/blocking-rules';
import type { PreparedRecord, PreparedResident } from '../model/person.model';
import { CachedComparator } from './comparison-cache';
import { GrowableArray } from './growable-array';

/** What one scan of (part of) the residents file produced: columnar pairs and name counts. */
export interface ScanColumns {
  readonly pairRecord: Uint32Array;
  readonly pairResident: Float64Array;
  readonly pairVector: Int8Array;
  readonly pairsByRule: number[];
  /** Folded family and given names with their counts, in order of first occurrence. */
  readonly familyCounts: [string, number][];
  readonly givenCounts: [string, number][];
  readonly residents: number;
  readonly unreadableResidents: number;
}

/**
 * The records' blocking index and the per-resident work of the offline match: a resident's keys are
 * looked up, and each record it shares a key with becomes a candidate pair whose comparison vector
 * is stored in typed columns (about 20 bytes a pair). Residents themselves are never held. Used in
 * the main thread or, one per byte range of the residents file, in worker threads: the pairs come
 * out in resident order then record order, so that concatenating the ranges' columns in file order
 * gives exactly the columns of one sequential scan.
 */
export class ResidentScanner {
  private readonly index = new Map<string, number | number[]>();
  private readonly hits = new Map<number, number>();
  private readonly comparator = new CachedComparator();
  readonly pairRecord = new GrowableArray(Uint32Array, 1, 1 << 16);
  readonly pairResident = new GrowableArray(Float64Array, 1, 1 << 16);
  readonly pairVector = new GrowableArray(Int8Array, FIELD_COUNT, 1 << 16);
  readonly pairsByRule: number[];
  readonly familyCounts = new Map<string, number>();
  readonly givenCounts = new Map<string, number>();
  residents = 0;
  unreadableResidents = 0;

  constructor(
    private readonly records: readonly (PreparedRecord | undefined)[],
    private readonly rules: readonly BlockingRule[],
  ) {
    this.pairsByRule = new Array<number>(rules.length).fill(0);
    records.forEach((record, i) => {
      if (record) this.indexRecord(record, i);
    });
  }

  private indexRecord(record: PreparedRecord, i: number): void {
    const index = this.index;
    for (const rule of this.rules) {
      for (const key of rule.recordKeys(record)) {
        const existing = index.get(key);
        if (existing === undefined) index.set(key, i);
        else if (typeof existing === 'number') index.set(key, existing === i ? i : [existing, i]);
        else if (existing[existing.length - 1] !== i) existing.push(i);
      }
    }
  }

  /** Counts the resident's names and adds its candidate pairs. */
  scan(resident: PreparedResident): void {
    this.residents++;
    increment(this.familyCounts, resident.name.familyFolded);
    increment(this.givenCounts, resident.name.givenFolded);
    const { hits, index, rules } = this;
    hits.clear();
    for (let r = 0; r < rules.length; r++) {
      for (const key of (rules[r] as BlockingRule).residentKeys(resident)) {
        const found = index.get(key);
        if (found === undefined) continue;
        if (typeof found === 'number') hits.set(found, (hits.get(found) ?? 0) | (1 << r));
        else for (const i of found) hits.set(i, (hits.get(i) ?? 0) | (1 << r));
      }
    }
    if (hits.size === 0) return;
    const id = Number(resident.personalId);
    const vectors = this.pairVector;
    for (const [i, mask] of hits) {
      this.pairRecord.push(i);
      this.pairResident.push(id);
      const at = vectors.pushRow();
      this.comparator.compare(this.records[i] as PreparedRecord, resident, vectors.array.subarray(at, at + FIELD_COUNT));
      for (let r = 0; r < rules.length; r++) if (mask & (1 << r)) this.pairsByRule[r] = (this.pairsByRule[r] ?? 0) + 1;
    }
  }

  get cacheHitRate(): number {
    const { hits, misses } = this.comparator;
    return hits + misses ? hits / (hits + misses) : 0;
  }

  columns(): ScanColumns {
    return {
      pairRecord: this.pairRecord.view(),
      pairResident: this.pairResident.view(),
      pairVector: this.pairVector.view(),
      pairsByRule: this.pairsByRule,
      familyCounts: [...this.familyCounts],
      givenCounts: [...this.givenCounts],
      residents: this.residents,
      unreadableResidents: this.unreadableResidents,
    };
  }
}

function increment(map: Map<string, number>, key: string): void {
  if (key) map.set(key, (map.get(key) ?? 0) + 1);
}

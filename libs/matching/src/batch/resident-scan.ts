import { FIELD_COUNT } from '../comparison/comparison-levels';
import type { BlockingRule } from '../blocking/blocking-rules';
import type { PreparedRecord, PreparedResident } from '../model/person.model';
import { addPosting, EMPTY, KeyTable, NumericBlocking, isDefaultRules, type KeySink } from '../blocking/numeric-blocking';
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
  // One index per rule (a rule's keys never meet another's: the keys of `recordKeys` start with
  // the rule's name), from key to the record, or the records in input order, that probe it.
  private readonly indexes: Map<string, number | number[]>[];
  // The records a resident meets, in the order first met, and the rules that found each (a bit per rule).
  private readonly met: number[] = [];
  private readonly masks: Int32Array;
  // The default rules with integer keys (numeric-blocking.ts): one table per rule, and the lists
  // of records of keys that more than one record probes.
  private readonly numeric: NumericBlocking | undefined;
  private readonly tables: KeyTable[] = [];
  private readonly lists: number[][] = [];
  private readonly meet: KeySink = (rule, a, b, c) => this.meetKey(rule, a, b, c);
  private readonly comparator: CachedComparator;
  private readonly residentNameIds = new Int32Array(3);
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
    this.indexes = rules.map(() => new Map());
    this.masks = new Int32Array(records.length);
    this.comparator = new CachedComparator(records);
    this.numeric = isDefaultRules(rules) ? new NumericBlocking() : undefined;
    if (this.numeric) {
      const numeric = this.numeric;
      this.tables = rules.map(() => new KeyTable());
      let i = 0;
      const add: KeySink = (rule, a, b, c) => addPosting(this.tables[rule] as KeyTable, this.lists, a, b, c, i);
      for (; i < records.length; i++) {
        const record = records[i];
        if (record) numeric.recordKeys(record, add);
      }
    } else {
      records.forEach((record, i) => {
        if (record) this.indexRecord(record, i);
      });
    }
  }

  private indexRecord(record: PreparedRecord, i: number): void {
    for (let r = 0; r < this.rules.length; r++) {
      const rule = this.rules[r] as BlockingRule;
      const index = this.indexes[r] as Map<string, number | number[]>;
      for (const key of rule.recordKeyParts ? rule.recordKeyParts(record) : rule.recordKeys(record)) {
        if (!key) continue;
        const existing = index.get(key);
        if (existing === undefined) index.set(key, i);
        else if (typeof existing === 'number') {
          if (existing !== i) index.set(key, [existing, i]);
        } else if (existing[existing.length - 1] !== i) existing.push(i);
      }
    }
  }

  /** Counts the resident's names and adds its candidate pairs. */
  scan(resident: PreparedResident): void {
    this.residents++;
    increment(this.familyCounts, resident.name.familyFolded);
    increment(this.givenCounts, resident.name.givenFolded);
    const { met, masks, indexes, rules } = this;
    met.length = 0;
    if (this.numeric) this.numeric.residentKeys(resident, this.meet);
    else
      for (let r = 0; r < rules.length; r++) {
        const rule = rules[r] as BlockingRule;
        const index = indexes[r] as Map<string, number | number[]>;
        const bit = 1 << r;
        for (const key of rule.residentKeyParts ? rule.residentKeyParts(resident) : rule.residentKeys(resident)) {
          if (!key) continue;
          const found = index.get(key);
          if (found === undefined) continue;
          if (typeof found === 'number') {
            if (masks[found] === 0) met.push(found);
            masks[found] = (masks[found] as number) | bit;
          } else {
            for (const i of found) {
              if (masks[i] === 0) met.push(i);
              masks[i] = (masks[i] as number) | bit;
            }
          }
        }
      }
    if (met.length === 0) return;
    const id = Number(resident.personalId);
    const vectors = this.pairVector;
    const comparator = this.comparator;
    const nameIds = comparator.residentIds(resident, this.residentNameIds);
    for (const i of met) {
      const mask = masks[i] as number;
      masks[i] = 0;
      this.pairRecord.push(i);
      this.pairResident.push(id);
      const at = vectors.pushRow();
      comparator.compareIndexed(i, this.records[i] as PreparedRecord, resident, nameIds, vectors.array, at);
      for (let r = 0; r < rules.length; r++) if (mask & (1 << r)) this.pairsByRule[r] = (this.pairsByRule[r] ?? 0) + 1;
    }
  }

  private meetKey(rule: number, a: number, b: number, c: number): void {
    const found = (this.tables[rule] as KeyTable).get(a, b, c);
    if (found === EMPTY) return;
    const bit = 1 << rule;
    const { masks, met } = this;
    if (found >= 0) {
      if (masks[found] === 0) met.push(found);
      masks[found] = (masks[found] as number) | bit;
    } else {
      for (const i of this.lists[-found - 1] as number[]) {
        if (masks[i] === 0) met.push(i);
        masks[i] = (masks[i] as number) | bit;
      }
    }
  }

  get cacheHitRate(): number {
    const { hits, misses } = this.comparator;
    return hits + misses ? hits / (hits + misses) : 0;
  }

  /**
   * The columns of the residents scanned since the last call (copies), and a fresh start: a thread
   * that scans several ranges of the file keeps its comparison cache across them and hands each
   * range's columns over apart.
   */
  takeColumns(): ScanColumns {
    const c = this.columns();
    const taken: ScanColumns = {
      ...c,
      pairRecord: c.pairRecord.slice(),
      pairResident: c.pairResident.slice(),
      pairVector: c.pairVector.slice(),
      pairsByRule: [...c.pairsByRule],
    };
    this.pairRecord.length = 0;
    this.pairResident.length = 0;
    this.pairVector.length = 0;
    this.pairsByRule.fill(0);
    this.familyCounts.clear();
    this.givenCounts.clear();
    this.residents = 0;
    this.unreadableResidents = 0;
    return taken;
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

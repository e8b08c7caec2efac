import {
  COMPARISONS,
  FIELD_COUNT,
  MISSING,
  compareDates,
  compareNames,
  compareParentNames,
  comparePersonalIds,
  comparePlaces,
} from '../comparison/comparison-levels';
import type { PreparedRecord, PreparedResident } from '../model/person.model';
import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';

const ID_BITS = 2 ** 26;

/**
 * An open-addressing hash table from a pair of name ids (below 2^26 each) to a level, in two typed
 * arrays: about 18 bytes a pair at most half full, so that every distinct pair of a run stays
 * (millions of them, where a Map of numbers took ~80 bytes each and had to be emptied when full).
 */
export class PairLevelTable {
  private keys = new Float64Array(1 << 16);
  private levels = new Int8Array(1 << 16);
  size = 0;

  /** The level of the pair, or undefined. */
  get(a: number, b: number): number | undefined {
    const key = a * ID_BITS + b + 1;
    const mask = this.keys.length - 1;
    for (let at = hash(a, b) & mask; ; at = (at + 1) & mask) {
      const k = this.keys[at] as number;
      if (k === key) return this.levels[at];
      if (k === 0) return undefined;
    }
  }

  set(a: number, b: number, level: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    this.insert(a * ID_BITS + b + 1, hash(a, b), level);
  }

  private insert(key: number, h: number, level: number): void {
    const mask = this.keys.length - 1;
    let at = h & mask;
    while (this.keys[at] !== 0 && this.keys[at] !== key) at = (at + 1) & mask;
    if (this.keys[at] === 0) this.size++;
    this.keys[at] = key;
    this.levels[at] = level;
  }

  private grow(): void {
    const keys = this.keys;
    const levels = this.levels;
    this.keys = new Float64Array(keys.length * 2);
    this.levels = new Int8Array(keys.length * 2);
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k === 0) continue;
      const a = Math.floor((k - 1) / ID_BITS);
      this.insert(k, hash(a, k - 1 - a * ID_BITS), levels[i] as number);
    }
  }
}

function hash(a: number, b: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
}

/**
 * `comparePair` with each distinct comparison of two names computed once. Vietnamese names repeat a
 * great deal (a few hundred family names, a few thousand given names), so the same pair of
 * normalised names comes back for many record × resident pairs. Every name comparison depends only
 * on the normalised full name (the folded form and the parts are derived from it), so the level is
 * cached by the pair of normalised names: the results are those of `COMPARISONS`, only faster. The
 * other fields (dates, IDs, places) are cheap next to a map look-up and are compared directly.
 * `matches` (a test) checks the field order against `COMPARISONS`.
 */
export class CachedComparator {
  private readonly ids = new Map<string, number>();
  private readonly names = new PairLevelTable();
  private readonly parents = new PairLevelTable();
  hits = 0;
  misses = 0;

  static readonly FIELDS = ['name', 'dateOfBirth', 'sex', 'personalId', 'place', 'father', 'mother'] as const;

  static matches(): boolean {
    return COMPARISONS.length === FIELD_COUNT && COMPARISONS.every((c, i) => c.field === CachedComparator.FIELDS[i]);
  }

  /** Writes the pair's vector into `out` from `at`. */
  compare(record: PreparedRecord, resident: PreparedResident, out: Int8Array, at = 0): void {
    const readings = record.readings;
    out[at] = this.best(record, readings, resident.name, 'name');
    out[at + 1] = compareDates(record.dob, resident.dob);
    out[at + 2] = !record.sex || !resident.sex ? MISSING : record.sex === resident.sex ? 0 : 1;
    out[at + 3] = comparePersonalIds(record, resident);
    out[at + 4] = comparePlaces(record, resident);
    out[at + 5] = this.best(record, readings, resident.father, 'father');
    out[at + 6] = this.best(record, readings, resident.mother, 'mother');
  }

  /** The best level over the record's readings (as `bestReading` in comparison-levels). */
  private best(
    record: PreparedRecord,
    readings: readonly PreparedRecord[] | undefined,
    theirs: VietnameseNameParts | undefined,
    field: 'name' | 'father' | 'mother',
  ): number {
    let best = this.level(record[field], theirs, field);
    if (!readings) return best;
    for (const reading of readings) {
      const l = this.level(reading[field], theirs, field);
      if (l !== MISSING && (best === MISSING || l < best)) best = l;
    }
    return best;
  }

  private level(ours: VietnameseNameParts | undefined, theirs: VietnameseNameParts | undefined, field: 'name' | 'father' | 'mother'): number {
    const child = field === 'name';
    if (!ours || !theirs) return child ? compareNames(ours as VietnameseNameParts, theirs as VietnameseNameParts) : MISSING;
    const a = this.idOf(ours.full);
    const b = this.idOf(theirs.full);
    const cache = child ? this.names : this.parents;
    if (a >= ID_BITS || b >= ID_BITS) return child ? compareNames(ours, theirs) : compareParentNames(ours, theirs);
    const cached = cache.get(a, b);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const l = child ? compareNames(ours, theirs) : compareParentNames(ours, theirs);
    cache.set(a, b, l);
    return l;
  }

  private idOf(full: string): number {
    let id = this.ids.get(full);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(full, id);
    }
    return id;
  }
}

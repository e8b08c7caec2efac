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
  private keys: Float64Array;
  private levels: Int8Array;
  size = 0;

  /** `capacity`: slots to start with (a power of two), so that a large run grows the table less often. */
  constructor(capacity = 1 << 16) {
    this.keys = new Float64Array(capacity);
    this.levels = new Int8Array(capacity);
  }

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

/** The names of one record's comparisons: as typed, then each reading. */
type NameField = 'name' | 'father' | 'mother';
const NAME_FIELDS: readonly NameField[] = ['name', 'father', 'mother'];

/**
 * `comparePair` with each distinct comparison of two names computed once. Vietnamese names repeat a
 * great deal (a few hundred family names, a few thousand given names), so the same pair of
 * normalised names comes back for many record × resident pairs. Every name comparison depends only
 * on the normalised full name (the folded form and the parts are derived from it), so the level is
 * cached by the pair of normalised names: the results are those of `COMPARISONS`, only faster. The
 * other fields (dates, IDs, places) are cheap next to a map look-up and are compared directly.
 * `matches` (a test) checks the field order against `COMPARISONS`.
 *
 * Names are numbered, not hashed per pair: the records' names (as typed and each reading) once, when
 * the comparator is made with the records (`compareIndexed` then takes the record's index), a
 * resident's three names once per resident (`residentIds`). The residents' numbering is bounded:
 * past `residentNamesMax` names it starts again, and the cached levels, keyed by those numbers, are
 * dropped with it.
 */
export class CachedComparator {
  private readonly recordNames = new Map<string, number>();
  private residentNames = new Map<string, number>();
  private names: PairLevelTable;
  private parents: PairLevelTable;
  // Slots the pair tables start with: about 16 a record (a hundred thousand records against a million
  // residents make tens of distinct name pairs a record).
  private readonly capacity: number;
  // Per record: the ids of its name, father and mother as typed and in each reading (-1: none), from `offsets[i]`.
  private readonly offsets: Uint32Array;
  private readonly recordIds: Int32Array;
  private readonly scratch = new Int32Array(3);
  hits = 0;
  misses = 0;
  /** Times the residents' numbering started again. */
  restarts = 0;

  static readonly FIELDS = ['name', 'dateOfBirth', 'sex', 'personalId', 'place', 'father', 'mother'] as const;

  static matches(): boolean {
    return COMPARISONS.length === FIELD_COUNT && COMPARISONS.every((c, i) => c.field === CachedComparator.FIELDS[i]);
  }

  constructor(
    records: readonly (PreparedRecord | undefined)[] = [],
    private readonly residentNamesMax = 1 << 21,
  ) {
    this.capacity = Math.max(1 << 16, Math.min(1 << 22, 2 ** Math.ceil(Math.log2(Math.max(1, records.length) * 16))));
    this.names = new PairLevelTable(this.capacity);
    this.parents = new PairLevelTable(this.capacity);
    this.offsets = new Uint32Array(records.length + 1);
    let n = 0;
    for (let i = 0; i < records.length; i++) {
      this.offsets[i] = n;
      const r = records[i];
      if (r) n += 3 * (1 + (r.readings?.length ?? 0));
    }
    this.offsets[records.length] = n;
    this.recordIds = new Int32Array(n);
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (!r) continue;
      let at = this.offsets[i] as number;
      for (const reading of [r, ...(r.readings ?? [])]) for (const f of NAME_FIELDS) this.recordIds[at++] = this.recordNameId(reading[f]);
    }
  }

  /** Writes the pair's vector into `out` from `at`. */
  compare(record: PreparedRecord, resident: PreparedResident, out: Int8Array, at = 0): void {
    const ids = this.residentIds(resident, this.scratch);
    const readings = record.readings;
    out[at] = this.best(record, readings, resident.name, ids[0] as number, 'name');
    this.others(record, resident, out, at);
    out[at + 5] = this.best(record, readings, resident.father, ids[1] as number, 'father');
    out[at + 6] = this.best(record, readings, resident.mother, ids[2] as number, 'mother');
  }

  /**
   * `compare` for the comparator's record `i` (`record` is `records[i]`) and a resident whose names'
   * ids `residentIds` gave.
   */
  compareIndexed(i: number, record: PreparedRecord, resident: PreparedResident, residentIds: Int32Array, out: Int8Array, at: number): void {
    const from = this.offsets[i] as number;
    const to = this.offsets[i + 1] as number;
    const readings = record.readings;
    const ids = this.recordIds;
    out[at] = this.bestIndexed(record, readings, ids, from, to, 0, resident.name, residentIds[0] as number, true);
    this.others(record, resident, out, at);
    out[at + 5] = this.bestIndexed(record, readings, ids, from, to, 1, resident.father, residentIds[1] as number, false);
    out[at + 6] = this.bestIndexed(record, readings, ids, from, to, 2, resident.mother, residentIds[2] as number, false);
  }

  /** The ids of the resident's name, father and mother (-1: none) into `into`; may start the residents' numbering again. */
  residentIds(resident: PreparedResident, into: Int32Array): Int32Array {
    if (this.residentNames.size + 3 > this.residentNamesMax) {
      this.restarts++;
      this.residentNames = new Map();
      this.names = new PairLevelTable(this.capacity);
      this.parents = new PairLevelTable(this.capacity);
    }
    into[0] = this.residentNameId(resident.name);
    into[1] = this.residentNameId(resident.father);
    into[2] = this.residentNameId(resident.mother);
    return into;
  }

  private others(record: PreparedRecord, resident: PreparedResident, out: Int8Array, at: number): void {
    out[at + 1] = compareDates(record.dob, resident.dob);
    out[at + 2] = !record.sex || !resident.sex ? MISSING : record.sex === resident.sex ? 0 : 1;
    out[at + 3] = comparePersonalIds(record, resident);
    out[at + 4] = comparePlaces(record, resident);
  }

  private bestIndexed(
    record: PreparedRecord,
    readings: readonly PreparedRecord[] | undefined,
    ids: Int32Array,
    from: number,
    to: number,
    field: number,
    theirs: VietnameseNameParts | undefined,
    theirId: number,
    child: boolean,
  ): number {
    const name = NAME_FIELDS[field] as NameField;
    let best = this.level(record[name], theirs, ids[from + field] as number, theirId, child);
    if (!readings) return best;
    for (let k = 0, at = from + 3 + field; at < to; k++, at += 3) {
      const l = this.level((readings[k] as PreparedRecord)[name], theirs, ids[at] as number, theirId, child);
      if (l !== MISSING && (best === MISSING || l < best)) best = l;
    }
    return best;
  }

  /** The best level over the record's readings (as `bestReading` in comparison-levels). */
  private best(
    record: PreparedRecord,
    readings: readonly PreparedRecord[] | undefined,
    theirs: VietnameseNameParts | undefined,
    theirId: number,
    field: NameField,
  ): number {
    const child = field === 'name';
    let best = this.level(record[field], theirs, this.recordNameId(record[field]), theirId, child);
    if (!readings) return best;
    for (const reading of readings) {
      const l = this.level(reading[field], theirs, this.recordNameId(reading[field]), theirId, child);
      if (l !== MISSING && (best === MISSING || l < best)) best = l;
    }
    return best;
  }

  private level(ours: VietnameseNameParts | undefined, theirs: VietnameseNameParts | undefined, a: number, b: number, child: boolean): number {
    if (!ours || !theirs) return child ? compareNames(ours as VietnameseNameParts, theirs as VietnameseNameParts) : MISSING;
    if (a < 0 || b < 0 || a >= ID_BITS || b >= ID_BITS) return child ? compareNames(ours, theirs) : compareParentNames(ours, theirs);
    const cache = child ? this.names : this.parents;
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

  private recordNameId(name: VietnameseNameParts | undefined): number {
    if (!name) return -1;
    let id = this.recordNames.get(name.full);
    if (id === undefined) {
      id = this.recordNames.size;
      this.recordNames.set(name.full, id);
    }
    return id;
  }

  private residentNameId(name: VietnameseNameParts | undefined): number {
    if (!name) return -1;
    let id = this.residentNames.get(name.full);
    if (id === undefined) {
      id = this.residentNames.size;
      this.residentNames.set(name.full, id);
    }
    return id;
  }
}

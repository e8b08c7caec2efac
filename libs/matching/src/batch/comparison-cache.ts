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
 * An open-addressing hash table from a pair of name ids (below 2^26 each) to a level, in one typed
 * array of two words a slot (the first id plus one, 0 for an empty slot; the second id and the
 * level in 4 bits): 8 bytes a pair, at most half full, so that every distinct pair of a run stays,
 * and a probe reads one cache line (the pairs are looked up at random among millions).
 */
export class PairLevelTable {
  private slots: Int32Array;
  size = 0;

  /** `capacity`: slots to start with (a power of two), so that a large run grows the table less often. */
  constructor(capacity = 1 << 16) {
    this.slots = new Int32Array(capacity * 2);
  }

  /** The level of the pair, or undefined. */
  get(a: number, b: number): number | undefined {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    const first = a + 1;
    const high = b << 4;
    for (let at = hash(a, b) & mask; ; at = (at + 1) & mask) {
      const k = slots[at * 2] as number;
      if (k === 0) return undefined;
      const second = slots[at * 2 + 1] as number;
      if (k === first && (second & ~15) === high) return (second & 15) - 1;
    }
  }

  /** `level`: -1 (missing) to 14. */
  set(a: number, b: number, level: number): void {
    if ((this.size + 1) * 4 > this.slots.length) this.grow();
    this.insert(a + 1, (b << 4) | (level + 1), hash(a, b));
  }

  private insert(first: number, second: number, h: number): void {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let at = h & mask;
    for (; slots[at * 2] !== 0; at = (at + 1) & mask) {
      if (slots[at * 2] === first && ((slots[at * 2 + 1] as number) & ~15) === (second & ~15)) break;
    }
    if (slots[at * 2] === 0) this.size++;
    slots[at * 2] = first;
    slots[at * 2 + 1] = second;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const first = old[i] as number;
      if (first === 0) continue;
      const second = old[i + 1] as number;
      this.insert(first, second, hash(first - 1, second >>> 4));
    }
  }
}

function hash(a: number, b: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
}

// The memo residentNameId keeps on a resident's (shared) name: one property, overwritten by the next comparator.
const RESIDENT_NAME_ID = Symbol("cached comparator: a resident name's id");
interface ResidentNameId {
  readonly owner: CachedComparator;
  /** `restarts` when it was numbered. */
  readonly numbering: number;
  readonly id: number;
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
  // Slots the pair tables start with, so that a large run grows them seldom: measured at a hundred
  // thousand records against a million residents, each thread's tables end with about 8 distinct
  // pairs of children's names and 10 of parents' names a record (at most half full: 16 and 32 slots).
  private readonly namesCapacity: number;
  private readonly parentsCapacity: number;
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
    const slots = (perRecord: number) => Math.max(1 << 16, Math.min(1 << 23, 2 ** Math.ceil(Math.log2(Math.max(1, records.length) * perRecord))));
    this.namesCapacity = slots(16);
    this.parentsCapacity = slots(32);
    this.names = new PairLevelTable(this.namesCapacity);
    this.parents = new PairLevelTable(this.parentsCapacity);
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
      this.names = new PairLevelTable(this.namesCapacity);
      this.parents = new PairLevelTable(this.parentsCapacity);
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

  // A million residents carry some three hundred thousand distinct names, whose parts objects the
  // preparer shares: the id is memoised on the object, for this comparator and its current numbering.
  private residentNameId(name: VietnameseNameParts | undefined): number {
    if (!name) return -1;
    const memo = (name as { [RESIDENT_NAME_ID]?: ResidentNameId })[RESIDENT_NAME_ID];
    if (memo !== undefined && memo.owner === this && memo.numbering === this.restarts) return memo.id;
    let id = this.residentNames.get(name.full);
    if (id === undefined) {
      id = this.residentNames.size;
      this.residentNames.set(name.full, id);
    }
    (name as { [RESIDENT_NAME_ID]?: ResidentNameId })[RESIDENT_NAME_ID] = { owner: this, numbering: this.restarts, id };
    return id;
  }
}

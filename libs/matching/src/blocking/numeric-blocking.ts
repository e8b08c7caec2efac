import { regionalSurnameVariant } from '../comparison/comparison-levels';
import type { PreparedPerson, PreparedRecord, PreparedResident, StatedDate } from '../model/person.model';
import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';
import { DEFAULT_BLOCKING_RULES, isPartial } from './blocking-rules';

/**
 * The default blocking rules (blocking-rules.ts) with keys of three integers instead of strings,
 * for the offline batch's scan of a million residents, where building and hashing ~13 key strings
 * a resident was the largest cost. The strings a key is made of (folded names, commune and
 * province codes) are numbered while the records are indexed; a resident's string that no record
 * has cannot be part of a shared key, so its key is not even looked up. Each key here stands for
 * exactly one key string of the rule (the parts of a key string are separated by '|', which no part
 * contains), so a resident meets the same records by the same rules, in the same order
 * (numeric-blocking.spec.ts checks it against the string keys).
 */
export const NUMERIC_RULE_NAMES = [
  'personal_id',
  'id_half_and_given',
  'given_and_dob',
  'family_given_sex_and_year_of_partial_date',
  'dob_and_commune',
  'family_given_and_commune',
  'mother_year_and_initial',
  'father_year_and_initial',
  'parent_and_given',
  'name_sex_and_province_without_dob',
  'sorted_name_and_year',
] as const;

/** Whether `rules` are the default rules this module reproduces, in the same order. */
export function isDefaultRules(rules: readonly { name: string }[]): boolean {
  return rules === DEFAULT_BLOCKING_RULES && rules.length === NUMERIC_RULE_NAMES.length && rules.every((r, i) => r.name === NUMERIC_RULE_NAMES[i]);
}

/** Receives one key of rule `rule`: the integers (a, b, c). */
export type KeySink = (rule: number, a: number, b: number, c: number) => void;

// Memos that the resident side keeps on the preparer's shared objects (nameIds, codeIds): one
// property each, overwritten by the next index that reads the object.
const NAME_IDS = Symbol("numeric blocking: a name's ids");
const CODE_IDS = Symbol('numeric blocking: the ids of a list of codes');
type Memoised<T> = { [NAME_IDS]?: T; [CODE_IDS]?: T };
interface NameIds {
  readonly owner: NumericBlocking;
  readonly generation: number;
  /** -1 for a string no record has (the given name not checked for being empty: the caller does). */
  readonly given: number;
  readonly family: number;
  readonly full: number;
  /** The key of sorted_name_and_year's words, -1 when no record has the word multiset. */
  readonly sorted: number;
}
interface CodeIds {
  readonly owner: NumericBlocking;
  readonly generation: number;
  readonly ids: Int32Array;
}

const MAX_PLACES = 8;
const DIGITS = /^\d+$/;
const SEX = { M: 0, F: 1 } as const;
const BOTH_SEXES = [0, 1];

/** y·512 + m·32 + d: one number per `yyyymmdd` string (months and days of valid dates). */
const dayCode = (year: number, month: number, day: number) => year * 512 + month * 32 + day;
const ymd = (d: StatedDate | undefined) => (d?.day !== undefined && d.month !== undefined ? dayCode(d.year, d.month, d.day) : -1);

export class NumericBlocking {
  private readonly ids = new Map<string, number>();
  private readonly sorted = new Map<string, string>();
  // The word multisets (wordBagHash) of the names the records probe sorted_name_and_year with: a
  // resident whose name has none of them cannot share that key, and its words are not sorted.
  private readonly bags = new Set<number>();

  // Counts the records added: a memo of a resident's ids (nameIds, codeIds) made before the last one is stale.
  private generation = 0;

  private readonly internId = (s: string): number => this.intern(s);
  private readonly findId = (s: string): number => this.find(s);

  /** Record side: numbers new strings. */
  private intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
    }
    return id;
  }

  /**
   * A resident's name's ids, memoised on its parts object: a million residents carry about two
   * million names but only some three hundred thousand distinct ones, whose parts objects the
   * preparer shares, so most names cost no look-up of their strings at all. A memo is this index's
   * while no record was added since (`generation`).
   */
  private nameIds(p: VietnameseNameParts): NameIds {
    const memo = (p as Memoised<NameIds>)[NAME_IDS];
    if (memo !== undefined && memo.owner === this && memo.generation === this.generation) return memo;
    const sortable = p.fullFolded.includes(' ') && this.bags.has(wordBagHash(p.fullFolded));
    const ids: NameIds = {
      owner: this,
      generation: this.generation,
      given: this.find(p.givenFolded),
      family: this.find(p.familyFolded),
      full: this.find(p.fullFolded),
      sorted: sortable ? this.find(this.sortedName(p.fullFolded)) : -1,
    };
    (p as Memoised<NameIds>)[NAME_IDS] = ids;
    return ids;
  }

  /** The ids of a list of codes (a resident's communes or provinces, shared by the preparer), memoised on the list likewise. */
  private codeIds(codes: readonly string[]): Int32Array {
    const memo = (codes as Memoised<CodeIds>)[CODE_IDS];
    if (memo !== undefined && memo.owner === this && memo.generation === this.generation) return memo.ids;
    const ids = Int32Array.from(codes, (c) => this.find(c));
    (codes as Memoised<CodeIds>)[CODE_IDS] = { owner: this, generation: this.generation, ids };
    return ids;
  }

  /** Resident side: -1 for a string no record has. */
  private find(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  recordKeys(record: PreparedRecord, emit: KeySink): void {
    this.generation++;
    if (record.readings) {
      this.recordReadingKeys(record, emit);
      for (const reading of record.readings) this.recordReadingKeys(reading, emit);
    } else this.recordReadingKeys(record, emit);
  }

  private recordReadingKeys(r: PreparedRecord, emit: KeySink): void {
    const id = this.internId;
    const givenS = r.name.givenFolded;
    const given = givenS ? id(givenS) : -1;
    const dob = r.dob;
    // personal_id, id_half_and_given
    if (r.personalId) {
      const pid = Number(r.personalId);
      emit(0, Math.floor(pid / 2 ** 32), pid | 0, 0);
      if (given >= 0) {
        emit(1, given, Number(r.personalId.slice(0, 6)) * 2, 0);
        emit(1, given, Number(r.personalId.slice(6)) * 2 + 1, 0);
      }
    }
    // given_and_dob, dob_and_commune: the date and the day/month swap
    const dates: number[] = [];
    if (dob && dob.day !== undefined && dob.month !== undefined) {
      dates.push(dayCode(dob.year, dob.month, dob.day));
      if (dob.day <= 12 && dob.day !== dob.month) dates.push(dayCode(dob.year, dob.day, dob.month));
    }
    if (given >= 0) for (const d of dates) emit(2, given, d, 0);
    const families = [id(r.name.familyFolded)];
    const variant = regionalSurnameVariant(r.name.familyFolded);
    if (variant) families.push(id(variant));
    const sexes = r.sex ? [SEX[r.sex]] : BOTH_SEXES;
    if (given >= 0 && isPartial(dob)) for (const f of families) for (const s of sexes) emit(3, f, given, s * 100_000 + dob.year);
    const communes = r.communes.slice(0, MAX_PLACES).map(id);
    for (const c of communes) for (const d of dates) emit(4, d, c, 0);
    if (given >= 0) for (const c of communes) for (const f of families) emit(5, f, given, c);
    this.parentKeys(r, emit, id);
    if (!dob) {
      const full = id(r.name.fullFolded);
      for (const p of r.provinces) for (const s of sexes) emit(9, full, s, id(p));
    }
    if (dob && r.name.fullFolded.includes(' ')) {
      this.bags.add(wordBagHash(r.name.fullFolded));
      emit(10, id(this.sortedName(r.name.fullFolded)), dob.year, 0);
    }
  }

  residentKeys(r: PreparedResident, emit: KeySink): void {
    const name = this.nameIds(r.name);
    const given = r.name.givenFolded ? name.given : -1;
    const family = name.family;
    const dob = r.dob;
    // Records' IDs are 12 digits (normalised): a resident's other ID cannot equal one, nor its halves.
    if (r.personalId.length === 12 && DIGITS.test(r.personalId)) {
      const pid = Number(r.personalId);
      emit(0, Math.floor(pid / 2 ** 32), pid | 0, 0);
      if (given >= 0) {
        emit(1, given, Number(r.personalId.slice(0, 6)) * 2, 0);
        emit(1, given, Number(r.personalId.slice(6)) * 2 + 1, 0);
      }
    }
    const day = ymd(dob);
    if (given >= 0 && day >= 0) emit(2, given, day, 0);
    if (given >= 0 && dob && r.sex && family >= 0) emit(3, family, given, SEX[r.sex] * 100_000 + dob.year);
    // All of a rule's keys before the next rule's: the order in which a resident meets records.
    if (day >= 0 || (given >= 0 && family >= 0)) {
      const communes = this.codeIds(r.communes);
      if (day >= 0) for (const c of communes) if (c >= 0) emit(4, day, c, 0);
      if (given >= 0 && family >= 0) for (const c of communes) if (c >= 0) emit(5, family, given, c);
    }
    // parentKeys, with the parents' memoised ids.
    const mother = r.mother ? this.nameIds(r.mother) : undefined;
    const father = r.father ? this.nameIds(r.father) : undefined;
    if (dob) {
      const yearAndInitial = dob.year * 65_536 + (r.name.givenFolded.length ? r.name.givenFolded.charCodeAt(0) : 0);
      if (mother && mother.family >= 0 && mother.given >= 0) emit(6, mother.family, mother.given, yearAndInitial);
      if (father && father.family >= 0 && father.given >= 0) emit(7, father.family, father.given, yearAndInitial);
    }
    if (given >= 0) {
      if (mother && r.mother?.fullFolded && mother.full >= 0) emit(8, mother.full, given, 0);
      if (father && r.father?.fullFolded && father.full >= 0) emit(8, father.full, given, 0);
    }
    if (r.sex && name.full >= 0) {
      const provinces = this.codeIds(r.provinces);
      for (const province of provinces) if (province >= 0) emit(9, name.full, SEX[r.sex], province);
    }
    if (dob && name.sorted >= 0) emit(10, name.sorted, dob.year, 0);
  }

  /** mother_year_and_initial, father_year_and_initial, parent_and_given: the same on both sides. */
  private parentKeys(r: PreparedPerson, emit: KeySink, id: (s: string) => number): void {
    const dob = r.dob;
    const initial = r.name.givenFolded.length ? r.name.givenFolded.charCodeAt(0) : 0;
    const givenS = r.name.givenFolded;
    const given = givenS ? id(givenS) : -1;
    if (dob) {
      this.parentYearKey(6, r.mother, dob.year * 65_536 + initial, emit, id);
      this.parentYearKey(7, r.father, dob.year * 65_536 + initial, emit, id);
    }
    if (given >= 0) {
      this.parentGivenKey(r.mother, given, emit, id);
      this.parentGivenKey(r.father, given, emit, id);
    }
  }

  private parentYearKey(rule: number, p: VietnameseNameParts | undefined, yearAndInitial: number, emit: KeySink, id: (s: string) => number): void {
    if (!p) return;
    const f = id(p.familyFolded);
    const g = id(p.givenFolded);
    if (f >= 0 && g >= 0) emit(rule, f, g, yearAndInitial);
  }

  private parentGivenKey(p: VietnameseNameParts | undefined, given: number, emit: KeySink, id: (s: string) => number): void {
    if (!p?.fullFolded) return;
    const full = id(p.fullFolded);
    if (full >= 0) emit(8, full, given, 0);
  }

  // The words in order: the key of "Hà Nguyễn Thị Thu" is that of "Nguyễn Thị Thu Hà". Cached: a
  // million residents repeat their names (bounded).
  private sortedName(fullFolded: string): string {
    let s = this.sorted.get(fullFolded);
    if (s === undefined) {
      if (this.sorted.size >= 200_000) this.sorted.clear();
      s = fullFolded.split(' ').sort().join(' ');
      this.sorted.set(fullFolded, s);
    }
    return s;
  }
}

/**
 * A hash of the multiset of a name's words (its pieces split on ' '), the same for the words in any
 * order: equal for two names whose sorted words are equal. Kept a small integer.
 */
export function wordBagHash(name: string): number {
  let bag = 0;
  let h = 0x811c9dc5;
  for (let i = 0; i <= name.length; i++) {
    const c = i < name.length ? name.charCodeAt(i) : 32;
    if (c === 32) {
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      bag = (bag + (h ^ (h >>> 13))) | 0;
      h = 0x811c9dc5;
    } else h = Math.imul(h ^ c, 0x01000193);
  }
  return bag & 0x3fffffff;
}

/**
 * An open-addressing hash table from a key of three int32 to an int32 (a record index, or the
 * negated index of a list of records), in one typed array of four words a slot (a, b, c, value):
 * no key string, no boxed number, and a probe reads one cache line. Most keys a resident looks up
 * are no record's, and the tables of a hundred thousand records are tens of megabytes, looked up at
 * random: a bit per key hash in a filter 16 times smaller than the slots (at most one bit in eight
 * set) answers most of those without touching the table.
 */
export class KeyTable {
  private slots = KeyTable.empty(1 << 12);
  private filter = new Int32Array((1 << 12) >> 2);
  private size = 0;

  private static empty(capacity: number): Int32Array {
    const slots = new Int32Array(capacity * 4);
    for (let at = 3; at < slots.length; at += 4) slots[at] = EMPTY;
    return slots;
  }

  get(a: number, b: number, c: number): number {
    const h = mix(a, b, c);
    const filter = this.filter;
    // Eight filter bits a slot: the hash's low bits, three more than the slot's.
    const bit = h & ((filter.length << 5) - 1);
    if (((filter[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return EMPTY;
    const slots = this.slots;
    const mask = (slots.length >> 2) - 1;
    for (let at = h & mask; ; at = (at + 1) & mask) {
      const base = at << 2;
      const v = slots[base + 3] as number;
      if (v === EMPTY) return EMPTY;
      if (slots[base] === a && slots[base + 1] === b && slots[base + 2] === c) return v;
    }
  }

  set(a: number, b: number, c: number, value: number): void {
    if ((this.size + 1) * 8 > this.slots.length) this.grow();
    this.put(a, b, c, value);
  }

  private put(a: number, b: number, c: number, value: number): void {
    const h = mix(a, b, c);
    const bit = h & ((this.filter.length << 5) - 1);
    this.filter[bit >>> 5] = (this.filter[bit >>> 5] as number) | (1 << (bit & 31));
    const slots = this.slots;
    const mask = (slots.length >> 2) - 1;
    let base = (h & mask) << 2;
    while (slots[base + 3] !== EMPTY && !(slots[base] === a && slots[base + 1] === b && slots[base + 2] === c)) base = (((base >> 2) + 1) & mask) << 2;
    if (slots[base + 3] === EMPTY) this.size++;
    slots[base] = a;
    slots[base + 1] = b;
    slots[base + 2] = c;
    slots[base + 3] = value;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = KeyTable.empty(old.length >> 1);
    this.filter = new Int32Array(old.length >> 3);
    this.size = 0;
    for (let base = 0; base < old.length; base += 4) {
      const v = old[base + 3] as number;
      if (v !== EMPTY) this.put(old[base] as number, old[base + 1] as number, old[base + 2] as number, v);
    }
  }
}

/**
 * Adds record `i` under a key: the table holds a lone record's index, or -(k + 1) for the k-th
 * list of `lists` once a second record shares the key. Records are added in increasing order, so
 * a record added twice under one key (two of its keys the same) is kept once.
 */
export function addPosting(table: KeyTable, lists: number[][], a: number, b: number, c: number, i: number): void {
  const existing = table.get(a, b, c);
  if (existing === EMPTY) table.set(a, b, c, i);
  else if (existing >= 0) {
    if (existing !== i) {
      lists.push([existing, i]);
      table.set(a, b, c, -lists.length);
    }
  } else {
    const list = lists[-existing - 1] as number[];
    if (list[list.length - 1] !== i) list.push(i);
  }
}

/** No value: below every list index (-1 - k) a table holds. */
export const EMPTY = -2_147_483_648;

function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 13) ^ c, 0xc2b2ae3d);
  return (h ^ (h >>> 16)) >>> 0;
}

import type { PreparedPerson, PreparedRecord, PreparedResident, StatedDate } from '../model/person.model';
import type { VietnameseNameParts } from '../normalisation/vietnamese-text.normaliser';
import { boundBelow, commonLetters } from './jaro-winkler-bound';

/** Level index returned when either side lacks the value: contributes no weight. */
export const MISSING = -1;

export interface ComparisonLevel {
  /** Stable identifier, stored in the model file. */
  readonly id: string;
  /** What a data officer reads in an explanation. */
  readonly description: string;
  /** Whether this level counts as agreement in explanations. */
  readonly agrees: boolean;
}

export interface Comparison {
  readonly field: FieldName;
  readonly label: string;
  readonly levels: readonly ComparisonLevel[];
  /** Level index, or MISSING. The first level that applies wins: levels are ordered strongest first. */
  compare(record: PreparedRecord, resident: PreparedResident): number;
}

export type FieldName = 'name' | 'dateOfBirth' | 'sex' | 'personalId' | 'place' | 'father' | 'mother';

const level = <I extends string>(id: I, description: string, agrees: boolean) => ({ id, description, agrees }) as const;

type LevelIndex<T extends readonly { readonly id: string }[]> = { readonly [K in T[number]['id']]: number };
function indexOf<const T extends readonly { readonly id: string }[]>(levels: T): LevelIndex<T> {
  return Object.fromEntries(levels.map((l, i) => [l.id, i])) as LevelIndex<T>;
}

// Regional pairs: the same family spelt the northern and the southern way (Hoàng/Huỳnh, Vũ/Võ).
const REGIONAL_SURNAMES: ReadonlyMap<string, string> = new Map([
  ['hoang', 'huynh'],
  ['huynh', 'hoang'],
  ['vu', 'vo'],
  ['vo', 'vu'],
]);

export function regionalSurnameVariant(familyFolded: string): string | undefined {
  return REGIONAL_SURNAMES.get(familyFolded);
}

export const NAME_LEVELS = [
  level('exact', 'identical', true),
  level('exact_without_diacritics', 'identical once accents are ignored', true),
  level('regional_surname', 'identical apart from a regional family-name spelling (Hoàng/Huỳnh, Vũ/Võ)', true),
  level('middle_name_missing', 'same family and given name, middle name missing or shortened on one side', true),
  level('reordered', 'same words in another order', true),
  level('similar_high', 'very similar spelling (Jaro-Winkler ≥ 0.94)', true),
  level('similar', 'similar spelling (Jaro-Winkler ≥ 0.88)', false),
  level('given_name_only', 'only the given name agrees', false),
  level('different', 'different', false),
] as const;
export const NAME_LEVEL = indexOf(NAME_LEVELS);

// Scratch space of jaroWinkler (names are short; longer strings get larger arrays).
let matchedAt = new Int32Array(64);
let taken = new Uint8Array(64);

/**
 * Jaro–Winkler similarity (prefix scale 0.1 up to 4 characters, boost from 0.7) over UTF-16 code
 * units: the arithmetic of talisman's `metrics/jaro-winkler` step for step, so the same number to
 * the last bit (comparison-levels.spec.ts checks it), without its two arrays of flags and two of
 * matched characters per call.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const max = a.length > b.length ? a : b;
  const min = a.length > b.length ? b : a;
  const range = Math.max(((max.length / 2) | 0) - 1, 0);
  if (matchedAt.length < min.length) matchedAt = new Int32Array(min.length * 2);
  if (taken.length < max.length) taken = new Uint8Array(max.length * 2);
  taken.fill(0, 0, max.length);
  let matches = 0;
  for (let i = 0; i < min.length; i++) {
    const c = min.charCodeAt(i);
    const to = Math.min(i + range + 1, max.length);
    matchedAt[i] = -1;
    for (let j = Math.max(i - range, 0); j < to; j++) {
      if (taken[j] === 0 && c === max.charCodeAt(j)) {
        matchedAt[i] = j;
        taken[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (!matches) return 0;
  // The matched characters of min in its order against those of max in its order.
  let transpositions = 0;
  let j = 0;
  for (let i = 0; i < min.length; i++) {
    if (matchedAt[i] === -1) continue;
    while (taken[j] === 0) j++;
    if (min.charCodeAt(i) !== max.charCodeAt(j)) transpositions++;
    j++;
  }
  const t = (transpositions / 2) | 0;
  const m = matches;
  const dj = (m / a.length + m / b.length + (m - t) / m) / 3;
  if (dj < 0.7) return dj;
  let l = 0;
  const prefixLimit = Math.min(a.length, b.length, 4);
  for (let i = 0; i < prefixLimit; i++) {
    if (a.charCodeAt(i) === b.charCodeAt(i)) l++;
    else break;
  }
  return dj + l * 0.1 * (1 - dj);
}

function middleCompatible(a: string, b: string): boolean {
  if (!a || !b) return true;
  const wa = a.split(' ');
  const wb = b.split(' ');
  const [short, long] = wa.length <= wb.length ? [wa, wb] : [wb, wa];
  return short.length < long.length && short.every((w) => long.includes(w));
}

export function compareNames(a: VietnameseNameParts, b: VietnameseNameParts): number {
  if (!a.fullFolded || !b.fullFolded) return MISSING;
  if (a.full === b.full) return NAME_LEVEL.exact;
  if (a.fullFolded === b.fullFolded) return NAME_LEVEL.exact_without_diacritics;
  const sameGiven = a.givenFolded === b.givenFolded;
  if (sameGiven) {
    if (a.middleFolded === b.middleFolded && regionalSurnameVariant(a.familyFolded) === b.familyFolded) return NAME_LEVEL.regional_surname;
    const sameFamily = a.familyFolded === b.familyFolded || regionalSurnameVariant(a.familyFolded) === b.familyFolded;
    if (sameFamily && middleCompatible(a.middleFolded, b.middleFolded)) return NAME_LEVEL.middle_name_missing;
  }
  const af = a.fullFolded;
  const bf = b.fullFolded;
  const common = commonLetters(af, bf);
  // The same words in another order are the same letters: most pairs need no split and sort.
  if (af.length === bf.length && common === af.length) {
    const wa = af.split(' ');
    const wb = bf.split(' ');
    if (wa.length === wb.length && wa.length > 1 && [...wa].sort().join(' ') === [...wb].sort().join(' ')) {
      return NAME_LEVEL.reordered;
    }
  }
  // Most pairs are names of different people, which a cheap bound shows cannot reach 0.88.
  const jw = boundBelow(af, bf, common, 0.88) ? 0 : jaroWinkler(af, bf);
  // A different given name is a different child even when the strings are close (An/Anh, Hà/Hải):
  // the high band needs the given names to be close too.
  if (jw >= 0.94 && jaroWinkler(a.givenFolded, b.givenFolded) >= 0.93) return NAME_LEVEL.similar_high;
  if (jw >= 0.88) return NAME_LEVEL.similar;
  if (sameGiven) return NAME_LEVEL.given_name_only;
  return NAME_LEVEL.different;
}

export const PARENT_NAME_LEVELS = [
  level('exact_without_diacritics', 'identical (accents ignored)', true),
  level('similar', 'similar (middle name missing or small spelling difference)', true),
  level('given_name_only', 'only the given name agrees', false),
  level('different', 'different', false),
] as const;

export function compareParentNames(a: VietnameseNameParts | undefined, b: VietnameseNameParts | undefined): number {
  if (!a || !b) return MISSING;
  const l = compareNames(a, b);
  if (l === MISSING) return MISSING;
  if (l <= NAME_LEVEL.exact_without_diacritics) return 0;
  if (l <= NAME_LEVEL.similar_high) return 1;
  if (l === NAME_LEVEL.given_name_only) return 2;
  return 3;
}

export const DATE_LEVELS = [
  level('exact', 'identical', true),
  level('day_month_swapped', 'day and month swapped', true),
  level('one_digit_off', 'one digit different', true),
  level('within_a_month', 'within a month', false),
  level('month_and_year_only', 'record gives only month and year, and they agree', true),
  level('year_only', 'record gives only the year, and it agrees', true),
  level('same_year', 'same year, otherwise different', false),
  level('different', 'different', false),
] as const;
export const DATE_LEVEL = indexOf(DATE_LEVELS);

/**
 * Whether a date level tells the child from its siblings (match.engine.ts, `identifiesChild`):
 * every level that agrees, and `within_a_month` (a date a few days off is a typo or a misread
 * register, not a sibling: siblings are born months apart at least, twins on the same day).
 */
export function identifiesChildByDate(level: number): boolean {
  return level !== MISSING && (DATE_LEVELS[level]?.agrees === true || level === DATE_LEVEL.within_a_month);
}

const dateDigits = (d: StatedDate) => `${d.year}${String(d.month).padStart(2, '0')}${String(d.day).padStart(2, '0')}`;
const dayNumber = (d: StatedDate) => Date.UTC(d.year, (d.month ?? 1) - 1, d.day ?? 1) / 86400000;

/** `hamming(dateDigits(r), dateDigits(c))` without building the strings when both years have four digits. */
function dateDigitsOff(r: StatedDate, c: StatedDate): number {
  const plain = (d: StatedDate) =>
    Number.isInteger(d.year) &&
    d.year >= 1000 &&
    d.year <= 9999 &&
    Number.isInteger(d.month) &&
    Number.isInteger(d.day) &&
    (d.month as number) >= 0 &&
    (d.month as number) <= 99 &&
    (d.day as number) >= 0 &&
    (d.day as number) <= 99;
  if (!plain(r) || !plain(c)) return hamming(dateDigits(r), dateDigits(c));
  // yyyymmdd as a number: compare digit by digit.
  let a = r.year * 10_000 + (r.month as number) * 100 + (r.day as number);
  let b = c.year * 10_000 + (c.month as number) * 100 + (c.day as number);
  let n = 0;
  for (let k = 0; k < 8; k++) {
    if (a % 10 !== b % 10) n++;
    a = Math.floor(a / 10);
    b = Math.floor(b / 10);
  }
  return n;
}

function hamming(a: string, b: string): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) n++;
  return n;
}

export function compareDates(r: StatedDate | undefined, c: StatedDate | undefined): number {
  if (!r || !c) return MISSING;
  if (r.day === undefined || r.month === undefined || c.day === undefined || c.month === undefined) {
    if (r.year !== c.year) return DATE_LEVEL.different;
    if (r.month !== undefined && c.month !== undefined) {
      return r.month === c.month ? DATE_LEVEL.month_and_year_only : DATE_LEVEL.same_year;
    }
    return DATE_LEVEL.year_only;
  }
  if (r.year === c.year && r.month === c.month && r.day === c.day) return DATE_LEVEL.exact;
  if (r.year === c.year && r.month === c.day && r.day === c.month) return DATE_LEVEL.day_month_swapped;
  if (dateDigitsOff(r, c) === 1) return DATE_LEVEL.one_digit_off;
  // Years two or more apart (Date.UTC reads years below 100 as 19xx) are never within a month.
  const apart = r.year >= 100 && c.year >= 100 && Math.abs(r.year - c.year) >= 2;
  if (!apart && Math.abs(dayNumber(r) - dayNumber(c)) <= 31) return DATE_LEVEL.within_a_month;
  if (r.year === c.year) return DATE_LEVEL.same_year;
  return DATE_LEVEL.different;
}

export const SEX_LEVELS = [level('same', 'same', true), level('different', 'different', false)] as const;

export const PLACE_LEVELS = [
  level('same_commune', 'same commune (old codes mapped to the communes in force since 2025-07-01)', true),
  level('same_commune_after_split', "the old commune was split, and one of its parts is the resident's commune", true),
  level('same_province', 'same province, different commune', false),
  level('different', 'different province', false),
] as const;

/** Whether the two lists share a code (`a.some((x) => b.includes(x))`, without closures: it runs for every candidate pair). */
function shareAny(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) if (a[i] === b[j]) return true;
  return false;
}

export function comparePlaces(r: PreparedPerson, c: PreparedPerson): number {
  if (!c.communes.length || (!r.communes.length && !r.provinces.length)) return MISSING;
  if (r.communes.length && shareAny(c.communes, r.communes)) return r.communeSplit ? 1 : 0;
  if (r.provinces.length && c.provinces.length) return shareAny(c.provinces, r.provinces) ? 2 : 3;
  return r.communes.length ? 3 : MISSING;
}

export const PERSONAL_ID_LEVELS = [
  level('exact', 'identical', true),
  level('exact_but_inconsistent', 'identical, but the ID does not fit the birth year or sex stated in the record', false),
  level('one_digit_off', 'one digit different', true),
  level('two_digits_off', 'two digits different', false),
  level('transposed', 'two adjacent digits swapped', true),
  level('parent_id', "the record's ID is this resident's father's or mother's (a parent's ID written in the child's column)", true),
  level('different_inconsistent', 'different, and the stated ID does not fit the stated birth year or sex', false),
  level('different', 'different', false),
] as const;
export const PERSONAL_ID_LEVEL = indexOf(PERSONAL_ID_LEVELS);

function isAdjacentTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

export function comparePersonalIds(r: PreparedRecord, c: PreparedResident): number {
  const id = r.personalId;
  if (!id || !c.personalId) return MISSING;
  if (id === c.personalId) return r.idInconsistency ? PERSONAL_ID_LEVEL.exact_but_inconsistent : PERSONAL_ID_LEVEL.exact;
  const h = hamming(id, c.personalId);
  if (h === 1) return PERSONAL_ID_LEVEL.one_digit_off;
  if (isAdjacentTransposition(id, c.personalId)) return PERSONAL_ID_LEVEL.transposed;
  if (h === 2) return PERSONAL_ID_LEVEL.two_digits_off;
  if (id === c.fatherPersonalId || id === c.motherPersonalId) return PERSONAL_ID_LEVEL.parent_id;
  return r.idInconsistency ? PERSONAL_ID_LEVEL.different_inconsistent : PERSONAL_ID_LEVEL.different;
}

/**
 * The best level of a name comparison over the record's readings (as typed, and as decoded from
 * Telex or VNI): the lowest level index, a missing value counting as the worst.
 */
function bestReading(record: PreparedRecord, compare: (r: PreparedRecord) => number): number {
  let best = compare(record);
  if (!record.readings) return best;
  for (const reading of record.readings) {
    const l = compare(reading);
    if (l !== MISSING && (best === MISSING || l < best)) best = l;
  }
  return best;
}

/** The comparisons of the model, in a fixed order (the order of the comparison vector). */
export const COMPARISONS: readonly Comparison[] = [
  { field: 'name', label: 'Name', levels: NAME_LEVELS, compare: (r, c) => bestReading(r, (x) => compareNames(x.name, c.name)) },
  { field: 'dateOfBirth', label: 'Date of birth', levels: DATE_LEVELS, compare: (r, c) => compareDates(r.dob, c.dob) },
  {
    field: 'sex',
    label: 'Sex',
    levels: SEX_LEVELS,
    compare: (r, c) => (!r.sex || !c.sex ? MISSING : r.sex === c.sex ? 0 : 1),
  },
  { field: 'personalId', label: 'Personal ID', levels: PERSONAL_ID_LEVELS, compare: comparePersonalIds },
  { field: 'place', label: 'Place', levels: PLACE_LEVELS, compare: comparePlaces },
  {
    field: 'father',
    label: "Father's name",
    levels: PARENT_NAME_LEVELS,
    compare: (r, c) => bestReading(r, (x) => compareParentNames(x.father, c.father)),
  },
  {
    field: 'mother',
    label: "Mother's name",
    levels: PARENT_NAME_LEVELS,
    compare: (r, c) => bestReading(r, (x) => compareParentNames(x.mother, c.mother)),
  },
];

export const FIELD_COUNT = COMPARISONS.length;

/** The comparison vector of one pair: one level index (or MISSING) per comparison, in COMPARISONS order. */
export function comparePair(record: PreparedRecord, resident: PreparedResident, out: Int8Array = new Int8Array(FIELD_COUNT)): Int8Array {
  for (let i = 0; i < FIELD_COUNT; i++) out[i] = (COMPARISONS[i] as Comparison).compare(record, resident);
  return out;
}

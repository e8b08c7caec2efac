import { regionalSurnameVariant } from '../comparison/comparison-levels';
import type { PreparedPerson, PreparedRecord, PreparedResident, StatedDate } from '../model/person.model';

/**
 * A blocking rule: residents are indexed under `residentKeys`, records probe with `recordKeys`.
 * The record side may probe several variants (swapped day/month, regional surname spellings) so
 * that common spreadsheet errors do not lose the true pair. Keys start with the rule's name.
 */
export interface BlockingRule {
  readonly name: string;
  residentKeys(resident: PreparedResident): string[];
  recordKeys(record: PreparedRecord): string[];
  /**
   * The same keys without the rule's name, possibly repeated and with empty ones (undefined or
   * ''), which a caller that keeps one index per rule skips: the batch's scan of a million
   * residents spends less on building keys.
   */
  readonly residentKeyParts?: (resident: PreparedResident) => readonly (string | undefined)[];
  readonly recordKeyParts?: (record: PreparedRecord) => readonly (string | undefined)[];
}

const ymd = (d: StatedDate | undefined): string | undefined =>
  d?.day !== undefined && d.month !== undefined ? `${d.year}${pad(d.month)}${pad(d.day)}` : undefined;
const pad = (n: number) => String(n).padStart(2, '0');

/** The full date and, when it could be a day/month swap, the swapped date. */
function recordDates(d: StatedDate | undefined): string[] {
  const exact = ymd(d);
  if (!exact || !d || d.day === undefined || d.month === undefined) return [];
  if (d.day <= 12 && d.day !== d.month) return [exact, `${d.year}${pad(d.day)}${pad(d.month)}`];
  return [exact];
}

function families(p: PreparedPerson): string[] {
  const f = p.name.familyFolded;
  const variant = regionalSurnameVariant(f);
  return variant ? [f, variant] : [f];
}

const MAX_PLACES = 8;

function rule(
  name: string,
  residentKeys: (r: PreparedResident) => (string | undefined)[],
  recordKeys: (r: PreparedRecord) => (string | undefined)[],
): BlockingRule {
  const prefix = (keys: (string | undefined)[]) => [...new Set(keys.filter((k): k is string => !!k))].map((k) => `${name}:${k}`);
  // A record typed with the input method off probes as typed and as each decoded reading.
  const recordKeyParts = (r: PreparedRecord) => (r.readings ? [r, ...r.readings].flatMap(recordKeys) : recordKeys(r));
  return {
    name,
    residentKeys: (r) => prefix(residentKeys(r)),
    recordKeys: (r) => prefix(recordKeyParts(r)),
    residentKeyParts: residentKeys,
    recordKeyParts,
  };
}

const given = (p: PreparedPerson) => p.name.givenFolded || undefined;
// The parent rules rescue records whose name and date are both wrong; the initial of the child's
// given name keeps siblings (same parents, often the same year) out of most blocks.
const initial = (p: PreparedPerson) => p.name.givenFolded.charAt(0);
const sexes = (p: PreparedPerson) => (p.sex ? [p.sex] : ['M', 'F']);
/** A date of birth stated as a year, or a month and year, only. */
export const isPartial = (d: StatedDate | undefined): d is StatedDate => d !== undefined && (d.day === undefined || d.month === undefined);

/** The default rules. Each is cheap and selective; their union is what matters (see docs/matching.md). */
export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = [
  rule(
    'personal_id',
    (r) => [r.personalId],
    (r) => [r.personalId],
  ),
  // A one-digit typo leaves one half of the ID intact; the given name keeps the blocks small.
  rule(
    'id_half_and_given',
    (r) => (given(r) ? [`h${r.personalId.slice(0, 6)}|${given(r)}`, `t${r.personalId.slice(6)}|${given(r)}`] : []),
    (r) => (r.personalId && given(r) ? [`h${r.personalId.slice(0, 6)}|${given(r)}`, `t${r.personalId.slice(6)}|${given(r)}`] : []),
  ),
  rule(
    'given_and_dob',
    (r) => [given(r) && ymd(r.dob) ? `${given(r)}|${ymd(r.dob)}` : undefined],
    (r) => (given(r) ? recordDates(r.dob).map((d) => `${given(r)}|${d}`) : []),
  ),
  // For a record that states only a year (or a month and year) of birth, which the rules on the
  // date cannot use. With the sex: "Nguyễn … Anh, 2015" alone is a large block in a big population.
  // A record without a sex probes both. Not for a full date: the rules on the date (and its swap),
  // the commune and the parents find those children, and the namesakes born the same year were
  // most of the candidate pairs (measured at 1M residents × 100k records, seed 20250701: 3.1M of
  // 4.6M pairs for 9 of 89,937 true pairs found by no other rule, 7 of them with a partial date; the
  // two with a full date were no_match all the same), and made nearly every record a candidate of
  // a resident in another province, which a partitioned run must decide nationally.
  rule(
    'family_given_sex_and_year_of_partial_date',
    (r) => [given(r) && r.dob && r.sex ? `${r.name.familyFolded}|${given(r)}|${r.sex}|${r.dob.year}` : undefined],
    (r) => (given(r) && isPartial(r.dob) ? families(r).flatMap((f) => sexes(r).map((s) => `${f}|${given(r)}|${s}|${r.dob?.year}`)) : []),
  ),
  rule(
    'dob_and_commune',
    (r) => r.communes.map((c) => (ymd(r.dob) ? `${ymd(r.dob)}|${c}` : undefined)),
    (r) => r.communes.slice(0, MAX_PLACES).flatMap((c) => recordDates(r.dob).map((d) => `${d}|${c}`)),
  ),
  rule(
    'family_given_and_commune',
    (r) => r.communes.map((c) => (given(r) ? `${r.name.familyFolded}|${given(r)}|${c}` : undefined)),
    (r) => (given(r) ? r.communes.slice(0, MAX_PLACES).flatMap((c) => families(r).map((f) => `${f}|${given(r)}|${c}`)) : []),
  ),
  rule(
    'mother_year_and_initial',
    (r) => [r.mother && r.dob ? `${r.mother.familyFolded}|${r.mother.givenFolded}|${r.dob.year}|${initial(r)}` : undefined],
    (r) => [r.mother && r.dob ? `${r.mother.familyFolded}|${r.mother.givenFolded}|${r.dob.year}|${initial(r)}` : undefined],
  ),
  rule(
    'father_year_and_initial',
    (r) => [r.father && r.dob ? `${r.father.familyFolded}|${r.father.givenFolded}|${r.dob.year}|${initial(r)}` : undefined],
    (r) => [r.father && r.dob ? `${r.father.familyFolded}|${r.father.givenFolded}|${r.dob.year}|${initial(r)}` : undefined],
  ),
  // A record without a usable date of birth still names a parent more often than not: a parent's
  // full name and the child's given name single out a child (siblings have other given names).
  rule(
    'parent_and_given',
    (r) => (given(r) ? [r.mother, r.father].map((p) => (p?.fullFolded ? `${p.fullFolded}|${given(r)}` : undefined)) : []),
    (r) => (given(r) ? [r.mother, r.father].map((p) => (p?.fullFolded ? `${p.fullFolded}|${given(r)}` : undefined)) : []),
  ),
  // And a record with no date of birth at all: the whole name, the sex and the province. Only such
  // records probe it, so it adds pairs only where nothing else could find the child.
  rule(
    'name_sex_and_province_without_dob',
    (r) => (r.sex ? r.provinces.map((p) => `${r.name.fullFolded}|${r.sex}|${p}`) : []),
    (r) => (r.dob ? [] : r.provinces.flatMap((p) => sexes(r).map((s) => `${r.name.fullFolded}|${s}|${p}`))),
  ),
  // Names written in another order ("Hà Nguyễn Thị Thu"): the sorted words and the birth year.
  rule(
    'sorted_name_and_year',
    (r) => [r.dob && r.name.fullFolded.includes(' ') ? `${r.name.fullFolded.split(' ').sort().join(' ')}|${r.dob.year}` : undefined],
    (r) => [r.dob && r.name.fullFolded.includes(' ') ? `${r.name.fullFolded.split(' ').sort().join(' ')}|${r.dob.year}` : undefined],
  ),
];

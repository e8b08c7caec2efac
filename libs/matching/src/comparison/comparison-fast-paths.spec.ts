import { SeededRandom } from '@childledger/random';
import type { PreparedPerson, StatedDate } from '../model/person.model';
import { DATE_LEVEL, MISSING, compareDates, comparePlaces } from './comparison-levels';

// The comparisons as they were written before their fast paths (string digits, Date.UTC for every
// pair, closures): the fast paths must give the same level for every input.
const dateDigits = (d: StatedDate) => `${d.year}${String(d.month).padStart(2, '0')}${String(d.day).padStart(2, '0')}`;
const dayNumber = (d: StatedDate) => Date.UTC(d.year, (d.month ?? 1) - 1, d.day ?? 1) / 86400000;
function hamming(a: string, b: string): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) n++;
  return n;
}
function referenceDates(r: StatedDate | undefined, c: StatedDate | undefined): number {
  if (!r || !c) return MISSING;
  if (r.day === undefined || r.month === undefined || c.day === undefined || c.month === undefined) {
    if (r.year !== c.year) return DATE_LEVEL.different;
    if (r.month !== undefined && c.month !== undefined) return r.month === c.month ? DATE_LEVEL.month_and_year_only : DATE_LEVEL.same_year;
    return DATE_LEVEL.year_only;
  }
  if (r.year === c.year && r.month === c.month && r.day === c.day) return DATE_LEVEL.exact;
  if (r.year === c.year && r.month === c.day && r.day === c.month) return DATE_LEVEL.day_month_swapped;
  if (hamming(dateDigits(r), dateDigits(c)) === 1) return DATE_LEVEL.one_digit_off;
  if (Math.abs(dayNumber(r) - dayNumber(c)) <= 31) return DATE_LEVEL.within_a_month;
  if (r.year === c.year) return DATE_LEVEL.same_year;
  return DATE_LEVEL.different;
}
function referencePlaces(r: PreparedPerson, c: PreparedPerson): number {
  if (!c.communes.length || (!r.communes.length && !r.provinces.length)) return MISSING;
  if (r.communes.length && c.communes.some((code) => r.communes.includes(code))) return r.communeSplit ? 1 : 0;
  if (r.provinces.length && c.provinces.length) return c.provinces.some((p) => r.provinces.includes(p)) ? 2 : 3;
  return r.communes.length ? 3 : MISSING;
}

describe('comparison fast paths', () => {
  const rng = new SeededRandom(2026).asFunction();
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

  it('compareDates gives the level of the string-digit comparison, for near and far dates and odd years', () => {
    const years = [5, 99, 100, 999, 1000, 1999, 2009, 2010, 2015, 2019, 2020, 2021, 9999, 10000, 20155];
    const date = (near?: StatedDate): StatedDate | undefined => {
      const k = rng();
      if (k < 0.03) return undefined;
      if (near && k < 0.6) {
        // A day, month or year digit off, or days apart, of a nearby date.
        const d = { ...near };
        const which = int(0, 3);
        if (which === 0) return { ...d, day: Math.max(1, Math.min(31, (d.day ?? 1) + int(-12, 12))) };
        if (which === 1) return { ...d, month: Math.max(1, Math.min(12, (d.month ?? 1) + int(-2, 2))) };
        if (which === 2) return { ...d, year: d.year + int(-2, 2) };
        return { ...d, day: d.month, month: d.day };
      }
      const year = rng() < 0.2 ? (years[int(0, years.length - 1)] as number) : int(2005, 2025);
      if (k < 0.08) return { year };
      if (k < 0.13) return { year, month: int(1, 12) };
      return { year, month: int(1, 12), day: int(1, 31) };
    };
    const seen = new Set<number>();
    for (let k = 0; k < 200_000; k++) {
      const a = date();
      const b = date(a);
      const level = compareDates(a, b);
      expect(level).toBe(referenceDates(a, b));
      seen.add(level);
    }
    // Every level came up (and a missing date).
    expect(seen.size).toBe(9);
  });

  it('comparePlaces gives the level of the closures', () => {
    const codes = ['00001', '00004', '00007', '26374', '29941'];
    const provinces = ['01', '79', '87'];
    const pick = (xs: string[], n: number) => Array.from({ length: n }, () => xs[int(0, xs.length - 1)] as string);
    const person = (): PreparedPerson => ({
      name: { full: '', family: '', middle: '', given: '', fullFolded: '', familyFolded: '', middleFolded: '', givenFolded: '' },
      communes: pick(codes, int(0, 3)),
      communeSplit: rng() < 0.2,
      provinces: pick(provinces, int(0, 2)),
    });
    const seen = new Set<number>();
    for (let k = 0; k < 50_000; k++) {
      const a = person();
      const b = person();
      const level = comparePlaces(a, b);
      expect(level).toBe(referencePlaces(a, b));
      seen.add(level);
    }
    expect(seen.size).toBe(5);
  });
});

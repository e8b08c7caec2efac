import fc from 'fast-check';
import talismanJaroWinkler from 'talisman/metrics/jaro-winkler';
import { PersonPreparer } from '../model/person.preparer';
import type { ChildRecordInput, ResidentInput } from '../model/person.model';
import { splitVietnameseName } from '../normalisation/vietnamese-text.normaliser';
import {
  COMPARISONS,
  DATE_LEVEL,
  MISSING,
  NAME_LEVEL,
  PERSONAL_ID_LEVEL,
  compareDates,
  compareNames,
  identifiesChildByDate,
  comparePersonalIds,
  jaroWinkler,
  comparePlaces,
} from './comparison-levels';
import type { AdminUnitLookup } from './admin-unit-lookup.port';

const n = splitVietnameseName;

describe(compareNames.name, () => {
  it.each([
    ['Nguyễn Thị Thu Hà', 'Nguyễn Thị Thu Hà', NAME_LEVEL.exact],
    ['Lê Văn Hoà', 'LÊ VĂN HÒA', NAME_LEVEL.exact],
    ['Nguyễn Thị Thu Hà', 'Nguyen Thi Thu Ha', NAME_LEVEL.exact_without_diacritics],
    ['Hoàng Văn Nam', 'Huỳnh Văn Nam', NAME_LEVEL.regional_surname],
    ['Vũ Thị Lan', 'Võ Thị Lan', NAME_LEVEL.regional_surname],
    ['Nguyễn Thị Thu Hà', 'Nguyễn Hà', NAME_LEVEL.middle_name_missing],
    ['Nguyễn Thị Thu Hà', 'Nguyễn Thu Hà', NAME_LEVEL.middle_name_missing],
    ['Nguyễn Văn An', 'An Nguyễn Văn', NAME_LEVEL.reordered],
    ['Trần Minh Khang', 'Tran Minh Khangg', NAME_LEVEL.similar_high],
    ['Nguyễn Văn An', 'Nguyễn Văn Anh', NAME_LEVEL.similar],
    ['Phạm Thị Lan', 'Đỗ Minh Lan', NAME_LEVEL.given_name_only],
    ['Phạm Thị Lan', 'Đỗ Quốc Bảo', NAME_LEVEL.different],
  ])('%s vs %s', (a, b, level) => {
    expect(compareNames(n(a), n(b))).toBe(level);
  });

  it('is missing when a name is empty', () => {
    expect(compareNames(n(''), n('Lê Hà'))).toBe(MISSING);
  });
});

describe(compareDates.name, () => {
  const d = (year: number, month?: number, day?: number) => ({ year, month, day });
  it.each([
    [d(2015, 3, 7), d(2015, 3, 7), DATE_LEVEL.exact],
    [d(2015, 7, 3), d(2015, 3, 7), DATE_LEVEL.day_month_swapped],
    [d(2015, 3, 17), d(2015, 3, 7), DATE_LEVEL.one_digit_off],
    [d(2016, 3, 7), d(2015, 3, 7), DATE_LEVEL.one_digit_off],
    [d(2015, 3, 29), d(2015, 4, 12), DATE_LEVEL.within_a_month],
    [d(2015, 3), d(2015, 3, 7), DATE_LEVEL.month_and_year_only],
    [d(2015), d(2015, 3, 7), DATE_LEVEL.year_only],
    [d(2015, 11, 20), d(2015, 3, 7), DATE_LEVEL.same_year],
    [d(2012, 11, 20), d(2015, 3, 7), DATE_LEVEL.different],
  ])('%j vs %j', (a, b, level) => {
    expect(compareDates(a, b)).toBe(level);
  });
});

describe(identifiesChildByDate.name, () => {
  it('counts the agreeing levels and a date within a month as telling a child from its siblings, not the same year or another date', () => {
    expect(
      Object.entries(DATE_LEVEL)
        .filter(([, level]) => identifiesChildByDate(level))
        .map(([id]) => id),
    ).toEqual(['exact', 'day_month_swapped', 'one_digit_off', 'within_a_month', 'month_and_year_only', 'year_only']);
    expect(identifiesChildByDate(MISSING)).toBe(false);
  });
});

describe(comparePersonalIds.name, () => {
  const preparer = new PersonPreparer();
  const resident: ResidentInput = { personalId: '001215012345', fullName: 'Lê An', sex: 'M', dateOfBirth: '2015-01-01', motherPersonalId: '001190765432' };
  const level = (id: string, extra: Partial<ChildRecordInput> = {}) =>
    comparePersonalIds(
      preparer.prepareRecord({ recordRef: 'r', fullName: 'Lê An', personalId: id, dateOfBirth: { year: 2015 }, sex: 'M', ...extra }),
      preparer.prepareResident(resident),
    );
  it.each([
    ['001215012345', PERSONAL_ID_LEVEL.exact],
    ['001215012346', PERSONAL_ID_LEVEL.one_digit_off],
    ['001215013245', PERSONAL_ID_LEVEL.transposed],
    ['001215099345', PERSONAL_ID_LEVEL.two_digits_off],
    ['001190765432', PERSONAL_ID_LEVEL.parent_id],
    ['079209999999', PERSONAL_ID_LEVEL.different_inconsistent],
    ['079215999999', PERSONAL_ID_LEVEL.different],
  ])('%s', (id, expected) => {
    expect(level(id)).toBe(expected);
  });

  it('flags an exact ID that contradicts the stated birth year', () => {
    expect(level('001215012345', { dateOfBirth: { year: 2016 } })).toBe(PERSONAL_ID_LEVEL.exact_but_inconsistent);
  });
});

describe(comparePlaces.name, () => {
  // Old commune 10 went into current 100; old 20 was split between 200 and 201.
  const units: AdminUnitLookup = {
    currentCodesFor: (c) =>
      ({ '00010': ['00100'], '00020': ['00200', '00201'], '00100': ['00100'], '00200': ['00200'], '00201': ['00201'], '00300': ['00300'], '00900': ['00900'] })[
        c
      ] ?? [],
    provinceOfCommune: (c) => (c === '00900' ? '02' : '01'),
  };
  const preparer = new PersonPreparer(units);
  const resident = preparer.prepareResident({ personalId: '001215012345', fullName: 'Lê An', residenceCommuneCode: '00100' });
  const residentInSplit = preparer.prepareResident({ personalId: '001215012346', fullName: 'Lê An', residenceCommuneCode: '00201' });
  const record = (commune?: string, province?: string) => preparer.prepareRecord({ recordRef: 'r', fullName: 'Lê An', commune, province });
  it('grades commune, commune after the 2025 mapping, province, and other', () => {
    expect(comparePlaces(record('00100'), resident)).toBe(0);
    expect(comparePlaces(record('00010'), resident)).toBe(0);
    expect(comparePlaces(record('00020'), residentInSplit)).toBe(1);
    expect(comparePlaces(record('00300'), resident)).toBe(2);
    expect(comparePlaces(record('00900'), resident)).toBe(3);
    expect(comparePlaces(record(undefined, '01'), resident)).toBe(2);
    expect(comparePlaces(record(), resident)).toBe(MISSING);
  });
});

describe('COMPARISONS', () => {
  it('has distinct level ids per field and at most 15 levels (4-bit packing)', () => {
    for (const c of COMPARISONS) {
      expect(new Set(c.levels.map((l) => l.id)).size).toBe(c.levels.length);
      expect(c.levels.length).toBeLessThan(16);
    }
  });
});

describe('names typed with the Vietnamese input method off', () => {
  const preparer = new PersonPreparer();
  const resident = preparer.prepareResident({
    personalId: '001316000456',
    fullName: 'Nguyễn Thị Mai',
    sex: 'F',
    dateOfBirth: '2016-03-14',
    motherFullName: 'Trần Thị Hường',
  } as ResidentInput);
  const record = (fullName: string, motherFullName?: string) =>
    preparer.prepareRecord({ recordRef: 'r', fullName, motherFullName, dateOfBirth: { year: 2016, month: 3, day: 14 } } as ChildRecordInput);
  const [name, , , , , , mother] = COMPARISONS;

  it.each([
    ['Nguyeenx Thij Mai', 'Telex'],
    ['Nguye6n4 Thi5 Mai', 'VNI'],
    ['NGUYEENX THIJ MAI', 'Telex in capitals'],
  ])('%s (%s) agrees with the name it stands for as if typed with accents', (typed) => {
    const r = record(typed);
    expect(r.readings).toHaveLength(1);
    expect(name!.compare(r, resident)).toBe(NAME_LEVEL.exact);
    // As typed, without its reading, the same name was a similar spelling at best.
    expect(name!.compare({ ...r, readings: undefined }, resident)).toBeGreaterThanOrEqual(NAME_LEVEL.similar_high);
  });

  it("decodes the parents' names too", () => {
    const r = record('Nguyễn Thị Mai', 'Traanf Thij Huwowngf');
    expect(mother!.compare(r, resident)).toBe(0);
    expect(mother!.compare({ ...r, readings: undefined }, resident)).toBeGreaterThan(1);
  });

  it('keeps a plain name that merely looks typed as it is written (Ksor), and reads a name with accents only as written', () => {
    const ksor = preparer.prepareResident({ personalId: '066316000111', fullName: 'Ksor H Mai', sex: 'F', dateOfBirth: '2016-03-14' } as ResidentInput);
    const r = record('Ksor H Mai');
    expect(r.readings?.[0]?.name.full).toBe('ksỏ h mai');
    expect(name!.compare(r, ksor)).toBe(NAME_LEVEL.exact);
    expect(record('Nguyễn Thị Mai').readings).toBeUndefined();
    expect(record('Nguyen Thi Mai').readings).toBeUndefined();
  });
});

describe(jaroWinkler.name, () => {
  it("gives talisman's Jaro–Winkler to the last bit, on names and on arbitrary strings", () => {
    const names = ['nguyen van an', 'nguyen van anh', 'tran thi thu ha', 'tran thu ha', 'ha', 'hai', 'le', '', 'xuyen', 'xuan', 'dieu linh'];
    for (const a of names) for (const b of names) expect(jaroWinkler(a, b)).toBe(talismanJaroWinkler(a, b));
    const word = fc.array(fc.constantFrom(...'anhguyetiv ồ'), { maxLength: 70 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(jaroWinkler(a, b)).toBe(talismanJaroWinkler(a, b));
      }),
      { numRuns: 20_000 },
    );
  });
});

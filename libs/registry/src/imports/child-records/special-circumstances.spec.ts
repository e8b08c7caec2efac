import { parseSex } from './sex';
import { parseSpecialCircumstances, SPECIAL_CIRCUMSTANCE_NAMES } from './special-circumstances';

describe(parseSpecialCircumstances.name, () => {
  it('reads numbers separated by ; or , (also "nhóm 3")', () => {
    expect(parseSpecialCircumstances('4; 1,11')).toEqual({ ok: true, groups: [1, 4, 11] });
    expect(parseSpecialCircumstances('Nhóm 3')).toEqual({ ok: true, groups: [3] });
  });

  it("recognises every group's legal name, with and without diacritics, even group 14's commas", () => {
    for (const [group, name] of Object.entries(SPECIAL_CIRCUMSTANCE_NAMES)) {
      expect(parseSpecialCircumstances(name)).toEqual({ ok: true, groups: [Number(group)] });
      const bare = name
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/đ/g, 'd')
        .toUpperCase();
      expect(parseSpecialCircumstances(bare)).toEqual({ ok: true, groups: [Number(group)] });
    }
  });

  it('recognises short and English names', () => {
    expect(parseSpecialCircumstances('mồ côi; khuyết tật')).toEqual({ ok: true, groups: [1, 4] });
    expect(parseSpecialCircumstances('trafficked, using drugs')).toEqual({ ok: true, groups: [7, 12] });
  });

  it('refuses numbers outside 1–14 and unknown names', () => {
    expect(parseSpecialCircumstances('15')).toMatchObject({ ok: false });
    expect(parseSpecialCircumstances('0')).toMatchObject({ ok: false });
    expect(parseSpecialCircumstances('nghèo')).toMatchObject({ ok: false });
  });
});

describe(parseSex.name, () => {
  it.each([
    ['Nam', 'M'],
    ['NAM', 'M'],
    ['m', 'M'],
    ['Male', 'M'],
    ['Nữ', 'F'],
    ['NỮ', 'F'],
    ['nu', 'F'],
    ['Nu\u0303', 'F'],
    ['female', 'F'],
    ['F', 'F'],
  ])('%s is %s', (text, sex) => expect(parseSex(text)).toBe(sex));

  it.each(['', 'X', 'khác', 'boy'])('%j is not a sex', (text) => expect(parseSex(text)).toBeUndefined());
});

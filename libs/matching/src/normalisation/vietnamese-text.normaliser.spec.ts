import fc from 'fast-check';
import { foldVietnamese, normaliseVietnamese, splitVietnameseName } from './vietnamese-text.normaliser';

// Moves tone marks between the two accepted places in open oa/oe/uy syllables (Hoà ↔ Hòa).
function swapTonePlacement(text: string): string {
  return text
    .normalize('NFD')
    .replace(/([oOuU])([\u0300\u0301\u0303\u0309\u0323])([aAeEyY])(?=\s|$)/g, '$1$3$2')
    .replace(/([oOuU])([aAeEyY])([\u0300\u0301\u0303\u0309\u0323])(?=\s|$)/g, '$1$3$2')
    .normalize('NFC');
}

function dropDiacritics(text: string): string {
  return text.replace(/[đð]/g, 'd').replace(/[ĐÐ]/g, 'D').normalize('NFD').replace(/\p{M}/gu, '');
}

const SYLLABLES = [
  'Nguyễn',
  'Thị',
  'Thu',
  'Hà',
  'Hòa',
  'Hoà',
  'Thủy',
  'Thuỷ',
  'Khoẻ',
  'Quý',
  'Giang',
  'Đức',
  'Ðức',
  'Huỳnh',
  'Ngọc',
  'Tuyết',
  'Xuân',
  'Hương',
  'Khoa',
  'Loan',
  'Ánh',
  'Uyên',
  'Oanh',
  'Gia',
  'Bảo',
  'Vũ',
  'Võ',
];
const nameArb = fc.array(fc.constantFrom(...SYLLABLES), { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));

describe(normaliseVietnamese.name, () => {
  it('treats both tone-mark placements alike (hoà/hòa, thuỷ/thủy, khoẻ/khỏe)', () => {
    expect(normaliseVietnamese('Hoà')).toBe(normaliseVietnamese('Hòa'));
    expect(normaliseVietnamese('Thuỷ')).toBe(normaliseVietnamese('Thủy'));
    expect(normaliseVietnamese('Khoẻ')).toBe(normaliseVietnamese('Khỏe'));
    // A coda keeps the tone on the last vowel, whatever the input did.
    expect(normaliseVietnamese('Hoàn')).toBe('hoàn');
    expect(normaliseVietnamese('Hòan')).toBe('hoàn');
  });

  it('maps the look-alike Ð (U+00D0) to Đ', () => {
    expect(normaliseVietnamese('Anh Ðức')).toBe(normaliseVietnamese('Anh Đức'));
  });

  it('is idempotent', () => {
    fc.assert(fc.property(nameArb, (name) => normaliseVietnamese(normaliseVietnamese(name)) === normaliseVietnamese(name)));
  });

  it('ignores Unicode form, case, spacing and tone placement', () => {
    fc.assert(
      fc.property(nameArb, fc.boolean(), fc.boolean(), (name, upper, spaces) => {
        let variant = swapTonePlacement(name).normalize('NFD');
        if (upper) variant = variant.toUpperCase();
        if (spaces) variant = `  ${variant.replace(/ /g, ' \u00a0 ')} `;
        return normaliseVietnamese(variant) === normaliseVietnamese(name);
      }),
    );
  });

  it('never changes the letters themselves (only marks move)', () => {
    fc.assert(fc.property(nameArb, (name) => foldVietnamese(normaliseVietnamese(name)) === foldVietnamese(name)));
  });
});

describe(foldVietnamese.name, () => {
  it('removes every diacritic and maps đ/Đ/Ð to d', () => {
    expect(foldVietnamese('Đặng Ðức Thuỷ')).toBe('dang duc thuy');
  });

  it('gives the same key for a name with and without diacritics', () => {
    fc.assert(fc.property(nameArb, (name) => foldVietnamese(dropDiacritics(name)) === foldVietnamese(name)));
  });

  it('returns only lower-case ASCII letters, digits and single spaces', () => {
    fc.assert(fc.property(fc.string(), (s) => /^(?:[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*)?$/u.test(foldVietnamese(s)) && !/\p{M}/u.test(foldVietnamese(s))));
  });
});

describe(splitVietnameseName.name, () => {
  it('splits family, middle and given names', () => {
    const parts = splitVietnameseName('Nguyễn Thị Thu Hà');
    expect([parts.family, parts.middle, parts.given]).toEqual(['nguyễn', 'thị thu', 'hà']);
    expect(parts.fullFolded).toBe('nguyen thi thu ha');
  });

  it('treats a one-word name as a given name and a two-word name as family + given', () => {
    expect(splitVietnameseName('Hà')).toMatchObject({ family: '', middle: '', given: 'hà' });
    expect(splitVietnameseName('Lê Hà')).toMatchObject({ family: 'lê', middle: '', given: 'hà' });
  });
});

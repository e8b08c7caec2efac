import fc from 'fast-check';
import { foldVietnamese, toneInsensitiveKey } from './fold-vietnamese';

const VIETNAMESE_LETTERS = [...'aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ'];
const vietnameseText = fc
  .array(fc.constantFrom(...VIETNAMESE_LETTERS, ...VIETNAMESE_LETTERS.map((c) => c.toUpperCase()), ' ', '  ', '-', "'", 'h', 'n', 'g', 't'), {
    maxLength: 40,
  })
  .map((chars) => chars.join(''));
const anyText = fc.oneof(vietnameseText, fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));

describe(foldVietnamese.name, () => {
  it.each([
    ['Nguyễn Thị Thu Hà', 'nguyen thi thu ha'],
    ['  Thị Trấn   Ba Chẽ ', 'thi tran ba che'],
    ['ĐẮK LẮK', 'dak lak'],
    ['Hoà', 'hoa'],
    ['Hòa', 'hoa'],
    ['Thuỷ', 'thuy'],
    ['Thủy', 'thuy'],
    ['Văn Miếu - Quốc Tử Giám', 'van mieu quoc tu giam'],
    ['Ea H’leo', "ea h'leo"],
  ])('folds %j to %j', (input, expected) => {
    expect(foldVietnamese(input)).toBe(expected);
  });

  it('gives the same key for NFC and NFD input', () => {
    const nfc = 'Nguyễn Thị Thuỷ'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    expect(foldVietnamese(nfd)).toBe(foldVietnamese(nfc));
  });

  it('is idempotent (property)', () => {
    fc.assert(fc.property(anyText, (s) => foldVietnamese(foldVietnamese(s)) === foldVietnamese(s)));
  });

  it('does not depend on the Unicode normal form (property)', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const key = foldVietnamese(s);
        return foldVietnamese(s.normalize('NFC')) === key && foldVietnamese(s.normalize('NFD')) === key;
      }),
    );
  });

  it('leaves no combining mark, no đ and no upper case in Vietnamese text (property)', () => {
    fc.assert(fc.property(vietnameseText, (s) => /^[a-z' ]*$/.test(foldVietnamese(s))));
  });
});

describe(toneInsensitiveKey.name, () => {
  it.each([
    ['Hoà', 'Hòa'],
    ['Thuỷ', 'Thủy'],
    ['Phường Yên Hoà', 'phường  yên hòa'],
    ['Khánh Hoà'.normalize('NFD'), 'Khánh Hòa'],
  ])('treats %j and %j alike', (a, b) => {
    expect(toneInsensitiveKey(a)).toBe(toneInsensitiveKey(b));
  });

  it.each([
    ['Hòa', 'Hoa'],
    ['Hòa', 'Hóa'],
    ['Ba Chẽ', 'Ba Che'],
    ['Đông', 'Dông'],
  ])('keeps %j and %j apart', (a, b) => {
    expect(toneInsensitiveKey(a)).not.toBe(toneInsensitiveKey(b));
  });

  it('is idempotent and agrees with foldVietnamese once diacritics are gone (property)', () => {
    fc.assert(
      fc.property(vietnameseText, (s) => {
        const key = toneInsensitiveKey(s);
        return toneInsensitiveKey(key) === key && foldVietnamese(key) === foldVietnamese(s);
      }),
    );
  });
});

// Vietnamese text normalisation shared by the platform (unit names here, person names in matching).

// Tone marks (thanh điệu) as combining characters after NFD. Vowel-shape marks (circumflex U+0302,
// breve U+0306, horn U+031B) are not tones: they change the letter (a/â/ă, o/ô/ơ, u/ư).
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
const ALL_COMBINING_MARKS = /[\u0300-\u036f]/g;
const APOSTROPHES = /[\u2018\u2019\u02bc\u0060\u00b4]/g;
const SEPARATORS = /[\s\u00a0\-_.,;:/()]+/g;

function tidy(text: string): string {
  return text.replace(APOSTROPHES, "'").replace(SEPARATORS, ' ').trim();
}

/**
 * Folds Vietnamese text to a plain matching key: no diacritics (so tone-mark placement and NFC/NFD
 * no longer matter), đ/Đ as d, lower case, punctuation and runs of spaces as one space.
 * `foldVietnamese('  Thị trấn  Ba Chẽ ') === 'thi tran ba che'`. Idempotent.
 */
export function foldVietnamese(text: string): string {
  return tidy(text.toLowerCase().normalize('NFD').replace(ALL_COMBINING_MARKS, '').replace(/đ/g, 'd').normalize('NFC'));
}

/**
 * A key that keeps every diacritic but not where the tone mark sits: `Hoà` and `Hòa`, `Thuỷ` and
 * `Thủy` give the same key, `Hòa` and `Hoa` do not. Each word's tone mark is moved to the end of
 * the word (a syllable carries at most one). Case and spacing are folded as in `foldVietnamese`.
 */
export function toneInsensitiveKey(text: string): string {
  return tidy(text.normalize('NFD').toLowerCase())
    .split(' ')
    .map((word) => {
      const tones = word.match(TONE_MARKS) ?? [];
      return (word.replace(TONE_MARKS, '') + tones.join('')).normalize('NFC');
    })
    .join(' ');
}

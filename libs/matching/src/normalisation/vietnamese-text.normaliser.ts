// Vietnamese text normalisation for record linkage.
//
// Three forms are used:
// - `normaliseVietnamese`: NFC, lower case, single spaces, look-alike Ð/ð mapped to Đ/đ, and the tone
//   mark moved to one canonical vowel per syllable, so `Hoà`/`Hòa` and `Thuỷ`/`Thủy` become equal.
// - `foldVietnamese`: the same without any diacritics and with đ → d (đ is a separate letter, not
//   a combining mark, so NFD alone never strips it).
// - `splitVietnameseName`: family name, middle name(s), given name.

const TONE_MARKS = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);
// Other combining marks that appear in mis-encoded input (e.g. U+0340/0341 tone look-alikes).
const TONE_ALIASES: Record<string, string> = { '\u0340': '\u0300', '\u0341': '\u0301' };
const PLAIN_VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
const MODIFIED_VOWELS = new Set(['ă', 'â', 'ê', 'ô', 'ơ', 'ư']);
const ALL_VOWELS = new Set([...PLAIN_VOWELS, ...MODIFIED_VOWELS]);
// Open syllables whose tone sits on the second vowel in the canonical ("new") placement: hoà, khoẻ, thuỷ.
const SECOND_VOWEL_CLUSTERS = new Set(['oa', 'oe', 'uy']);

const LOOK_ALIKES: Record<string, string> = {
  '\u00d0': 'Đ', // Icelandic eth, common in Vietnamese name lists
  '\u00f0': 'đ',
  '\u0189': 'Đ', // African D
  '\u0111': 'đ',
};

/** Maps look-alike characters and exotic spaces; keeps everything else. */
function mapLookAlikes(input: string): string {
  let out = '';
  for (const ch of input) out += LOOK_ALIKES[ch] ?? ch;
  return out;
}

/** Collapses any run of whitespace (incl. NBSP, zero-width) to one space and trims. */
export function collapseSpaces(input: string): string {
  return input
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/[\s\u00a0]+/gu, ' ')
    .trim();
}

/** Places the tone mark of one lower-case syllable (already NFD-split of tone) on its canonical vowel. */
function placeTone(base: string, tone: string): string {
  const chars = [...base];
  let start = 0;
  // Onset: "qu" and "gi" (before another vowel) behave as consonants.
  if ((base.startsWith('qu') || base.startsWith('gi')) && chars.length > 2 && ALL_VOWELS.has(chars[2] ?? '')) {
    start = 2;
  }
  while (start < chars.length && !ALL_VOWELS.has(chars[start] ?? '')) start++;
  let end = start;
  while (end < chars.length && ALL_VOWELS.has(chars[end] ?? '')) end++;
  if (start >= chars.length) return base + tone; // no vowel: keep the mark at the end, still canonical
  const nucleus = chars.slice(start, end);
  const hasCoda = end < chars.length;
  let pos: number;
  let lastModified = -1;
  nucleus.forEach((c, i) => {
    if (MODIFIED_VOWELS.has(c)) lastModified = i;
  });
  if (lastModified >= 0) pos = lastModified;
  else if (nucleus.length === 1) pos = 0;
  else if (hasCoda) pos = nucleus.length - 1;
  else if (nucleus.length === 2) pos = SECOND_VOWEL_CLUSTERS.has(nucleus.join('')) ? 1 : 0;
  else pos = 1; // oai, oay, uya, uyu: the middle vowel
  chars[start + pos] = (chars[start + pos] ?? '') + tone;
  return chars.join('');
}

function normaliseSyllable(syllable: string): string {
  const decomposed = syllable.normalize('NFD');
  let tone = '';
  let rest = '';
  for (const ch of decomposed) {
    const t = TONE_ALIASES[ch] ?? ch;
    if (TONE_MARKS.has(t)) {
      if (!tone) tone = t; // a second tone mark is a typo; keep the first
    } else rest += t;
  }
  const base = rest.normalize('NFC');
  return (tone ? placeTone(base, tone) : base).normalize('NFC');
}

/**
 * NFC, lower case, single spaces, Ð→Đ, canonical tone placement. Punctuation other than letters,
 * digits, spaces and hyphens/apostrophes is replaced by a space.
 */
export function normaliseVietnamese(input: string): string {
  const text = collapseSpaces(
    mapLookAlikes(input.normalize('NFC'))
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\s'-]/gu, ' '),
  );
  if (!text) return '';
  return text
    .split(' ')
    .map((w) => normaliseSyllable(w))
    .join(' ');
}

/** Removes all diacritics (tones and vowel modifiers) and maps đ→d; lower case, single spaces. */
export function foldVietnamese(input: string): string {
  return collapseSpaces(
    mapLookAlikes(input.normalize('NFC'))
      .toLowerCase()
      .replace(/đ/g, 'd')
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/[^\p{L}\p{N}\s]/gu, ' '),
  );
}

export interface VietnameseNameParts {
  /** Normalised (NFC, canonical tones, lower case) full name. */
  readonly full: string;
  readonly family: string;
  readonly middle: string;
  readonly given: string;
  /** The same parts folded (no diacritics). */
  readonly fullFolded: string;
  readonly familyFolded: string;
  readonly middleFolded: string;
  readonly givenFolded: string;
}

/**
 * Splits a Vietnamese name into family (first word), middle (all words between) and given (last
 * word). A one-word name is a given name only. Compound given names ("Gia Bảo") end up with their
 * first syllable in `middle`; comparisons therefore never require middle names to agree exactly.
 */
export function splitVietnameseName(input: string): VietnameseNameParts {
  const full = normaliseVietnamese(input);
  const words = full ? full.split(' ') : [];
  let family = '';
  let middle = '';
  let given = '';
  if (words.length === 1) given = words[0] ?? '';
  else if (words.length >= 2) {
    family = words[0] ?? '';
    given = words[words.length - 1] ?? '';
    middle = words.slice(1, -1).join(' ');
  }
  return {
    full,
    family,
    middle,
    given,
    fullFolded: foldVietnamese(full),
    familyFolded: foldVietnamese(family),
    middleFolded: foldVietnamese(middle),
    givenFolded: foldVietnamese(given),
  };
}

import { foldVietnamese, normaliseVietnamese, type VietnameseNameParts } from './vietnamese-text.normaliser';

// `splitVietnameseName`, word by word. A million residents carry perhaps a million distinct full
// names but only a few thousand distinct words, and both normalising and folding work word by word:
// every step of `normaliseVietnamese` is per character or per syllable, and a plain space never
// composes, changes case or survives trimming, so the normalised name is the normalised words
// (split on U+0020) joined by one space, the empty ones left out; the same holds for folding
// normalised words. So each word is normalised and folded once, and a name is a few look-ups.
// word-cached.splitter.spec.ts checks it against `splitVietnameseName` on generated and arbitrary
// text.
const WORDS_MAX = 200_000;
const normalisedWords = new Map<string, string>();
const foldedWords = new Map<string, string>();

function cached(map: Map<string, string>, key: string, compute: (s: string) => string): string {
  let v = map.get(key);
  if (v === undefined) {
    if (map.size >= WORDS_MAX) map.clear();
    v = compute(key);
    map.set(key, v);
  }
  return v;
}

/** `normaliseVietnamese`, from cached words. */
export function normaliseByWords(input: string): string {
  const raw = input.split(' ');
  let out = '';
  for (const w of raw) {
    if (!w) continue;
    const n = cached(normalisedWords, w, normaliseVietnamese);
    if (n) out = out ? `${out} ${n}` : n;
  }
  return out;
}

/** `foldVietnamese` of normalised words joined by a space. */
function foldWords(words: readonly string[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const f = cached(foldedWords, words[i] as string, foldVietnamese);
    if (f) out = out ? `${out} ${f}` : f;
  }
  return out;
}

/** The same parts as `splitVietnameseName(input)`. */
export function splitNameByWords(input: string): VietnameseNameParts {
  const full = normaliseByWords(input);
  const words = full ? full.split(' ') : [];
  const n = words.length;
  if (n === 0) return { full, family: '', middle: '', given: '', fullFolded: '', familyFolded: '', middleFolded: '', givenFolded: '' };
  if (n === 1) {
    const g = foldWords(words, 0, 1);
    return { full, family: '', middle: '', given: full, fullFolded: g, familyFolded: '', middleFolded: '', givenFolded: g };
  }
  return {
    full,
    family: words[0] as string,
    middle: words.slice(1, -1).join(' '),
    given: words[n - 1] as string,
    fullFolded: foldWords(words, 0, n),
    familyFolded: foldWords(words, 0, 1),
    middleFolded: foldWords(words, 1, n - 1),
    givenFolded: foldWords(words, n - 1, n),
  };
}

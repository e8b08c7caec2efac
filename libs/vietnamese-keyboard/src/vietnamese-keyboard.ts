// Vietnamese typed on a keyboard without a Vietnamese input method: Telex ("Nguyeenx" for Nguyễn)
// and VNI ("Nguye6n4"). People who search for a child often type that way, or leave the accents
// out; the search and the matching engine fold both sides, so they need what the typist meant.

/** Tones by their index: 0 none (thanh ngang), 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng. */
type Tone = 0 | 1 | 2 | 3 | 4 | 5;
const TONE_MARK: Record<Exclude<Tone, 0>, string> = { 1: '\u0301', 2: '\u0300', 3: '\u0309', 4: '\u0303', 5: '\u0323' };
const TELEX_TONES: Record<string, Tone> = { s: 1, f: 2, r: 3, x: 4, j: 5, z: 0 };
const VNI_TONES: Record<string, Tone> = { '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '0': 0 };

const VOWELS = 'aăâeêioôơuưy';
const MODIFIED = 'ăâêôơư';
const isVowel = (c: string) => VOWELS.includes(c.toLowerCase());
const CIRCUMFLEX: Record<string, string> = { a: 'â', e: 'ê', o: 'ô' };
const HORN: Record<string, string> = { o: 'ơ', u: 'ư' };
const BREVE: Record<string, string> = { a: 'ă' };

/** `to` in the case of `like` (for one letter). */
function inCaseOf(like: string, to: string): string {
  return like === like.toUpperCase() && like !== like.toLowerCase() ? to.toUpperCase() : to;
}

/** Replaces the letter at `i` by its modified form from `table`, keeping its case. False when it has none. */
function modify(letters: string[], i: number, table: Record<string, string>): boolean {
  const c = letters[i];
  const to = c === undefined ? undefined : table[c.toLowerCase()];
  if (c === undefined || to === undefined) return false;
  letters[i] = inCaseOf(c, to);
  return true;
}

/**
 * Puts the tone mark on the vowel the spelling rules give it: a modified vowel (ơ of ươ) first;
 * else, after "qu"/"gi", the vowels that follow; a single vowel; three vowels: the middle one; two
 * vowels: the second when a final consonant follows (Hoàn, Tuấn), else the first (Hòa, Thúy).
 */
function placeTone(word: string, tone: Tone): string {
  if (tone === 0) return word.normalize('NFC');
  const letters = [...word];
  const lower = word.toLowerCase();
  let start = letters.findIndex(isVowel);
  if (start < 0) return word.normalize('NFC');
  if ((lower.startsWith('qu') && start === 1) || (lower.startsWith('gi') && start === 1 && letters.length > 2 && isVowel(letters[2]!))) start = 2;
  let end = start;
  while (end < letters.length && isVowel(letters[end]!)) end++;
  const cluster = letters.slice(start, end).map((c) => c.toLowerCase());
  let at: number;
  const modified = cluster.map((c, i) => (MODIFIED.includes(c) ? i : -1)).filter((i) => i >= 0);
  if (modified.length > 0) at = modified[modified.length - 1]!;
  else if (cluster.length === 1) at = 0;
  else if (cluster.length >= 3) at = 1;
  else at = end < letters.length ? 1 : 0;
  letters[start + at] = letters[start + at]! + TONE_MARK[tone];
  return letters.join('').normalize('NFC');
}

/** Where a word's vowels begin: what comes before is its initial consonant(s), where s, r and x are letters (Sơn, Rồi, Xuân). */
function rhymeStart(word: string, extraVowel: string): number {
  const i = [...word].findIndex((c) => isVowel(c) || extraVowel.includes(c.toLowerCase()));
  return i < 0 ? word.length : i;
}

/** One word typed in Telex, decoded ("Nguyeenx" → "Nguyễn", "ddoongf" → "đồng"). */
function decodeTelexWord(word: string): string {
  const chars = [...word];
  const start = rhymeStart(word, 'w');
  const letters: string[] = [];
  let tone: Tone = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const lc = c.toLowerCase();
    const prev = letters[letters.length - 1];
    if (lc === 'd' && prev?.toLowerCase() === 'd' && letters.length === 1) {
      letters[0] = inCaseOf(prev, 'đ');
      continue;
    }
    if (i < start) {
      letters.push(c);
      continue;
    }
    if (lc in TELEX_TONES && letters.some(isVowel)) {
      tone = TELEX_TONES[lc]!;
      continue;
    }
    if (lc === 'w') {
      // uow → ươ; otherwise the last vowel typed takes the horn (o, u) or the breve (a); alone, w is ư.
      const last = findLastVowel(letters);
      const lastLower = last < 0 ? '' : letters[last]!.toLowerCase();
      if (last > 0 && lastLower === 'o' && letters[last - 1]!.toLowerCase() === 'u') {
        modify(letters, last - 1, HORN);
        modify(letters, last, HORN);
      } else if (last < 0 || !(modify(letters, last, HORN) || modify(letters, last, BREVE))) letters.push(inCaseOf(c, 'ư'));
      continue;
    }
    if (lc in CIRCUMFLEX && prev?.toLowerCase() === lc) {
      modify(letters, letters.length - 1, CIRCUMFLEX);
      continue;
    }
    letters.push(c);
  }
  return placeTone(letters.join(''), tone);
}

function findLastVowel(letters: readonly string[]): number {
  for (let i = letters.length - 1; i >= 0; i--) if (isVowel(letters[i]!)) return i;
  return -1;
}

/** One word typed in VNI, decoded ("Nguye6n4" → "Nguyễn", "d9o6ng2" → "đồng"). */
function decodeVniWord(word: string): string {
  const letters: string[] = [];
  let tone: Tone = 0;
  for (const c of word) {
    if (c in VNI_TONES && letters.some(isVowel)) {
      tone = VNI_TONES[c]!;
      continue;
    }
    if (c === '9') {
      const d = letters.findIndex((x) => x.toLowerCase() === 'd');
      if (d >= 0) letters[d] = inCaseOf(letters[d]!, 'đ');
      else letters.push(c);
      continue;
    }
    if (c === '6' || c === '7' || c === '8') {
      const table = c === '6' ? CIRCUMFLEX : c === '7' ? HORN : BREVE;
      const last = [...letters.keys()].reverse().find((i) => table[letters[i]!.toLowerCase()] !== undefined);
      if (last === undefined) {
        letters.push(c);
        continue;
      }
      // u + o7 → ươ.
      if (c === '7' && letters[last]!.toLowerCase() === 'o' && letters[last - 1]?.toLowerCase() === 'u') modify(letters, last - 1, HORN);
      modify(letters, last, table);
      continue;
    }
    letters.push(c);
  }
  return placeTone(letters.join(''), tone);
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Text typed in Telex, word by word; what is not Telex comes back as it was (NFC). */
export function decodeTelex(text: string): string {
  return text.normalize('NFC').replace(WORD, (w) => (/\d/.test(w) ? w : decodeTelexWord(w)));
}

/** Text typed in VNI (digits 1–5 tones, 6 â ê ô, 7 ơ ư, 8 ă, 9 đ), word by word; words without those digits come back as they were. */
export function decodeVni(text: string): string {
  return text.normalize('NFC').replace(WORD, (w) => (/\p{L}[0-9]/u.test(w) ? decodeVniWord(w) : w));
}

/**
 * Lower case, no diacritics, đ as d, anything but letters and digits as one space: the key a
 * name is searched by (`foldVietnameseName('  Nguyễn  Thị Mai') === 'nguyen thi mai'`). Idempotent.
 */
export function foldVietnameseName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/đ/g, 'd')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The readings of what someone typed to look for a name: as typed, as Telex and as VNI, each
 * folded (`foldVietnameseName`), without repeats, as typed first. A search matches a name that
 * matches any reading, so plain text that merely looks like Telex ("Ksor", where r would be a
 * tone) is still found as it is.
 */
export function typedNameReadings(text: string): string[] {
  const readings = [text, decodeTelex(text), decodeVni(text)].map(foldVietnameseName).filter((r) => r !== '');
  return [...new Set(readings)];
}

const TONE_OF_MARK: Record<string, Exclude<Tone, 0>> = { '\u0301': 1, '\u0300': 2, '\u0309': 3, '\u0303': 4, '\u0323': 5 };
const TELEX_TONE_LETTER: Record<Exclude<Tone, 0>, string> = { 1: 's', 2: 'f', 3: 'r', 4: 'x', 5: 'j' };
const TELEX_LETTER: Record<string, string> = { â: 'aa', ê: 'ee', ô: 'oo', ă: 'aw', ơ: 'ow', ư: 'uw', đ: 'dd' };
const VNI_LETTER: Record<string, string> = { â: 'a6', ê: 'e6', ô: 'o6', ă: 'a8', ơ: 'o7', ư: 'u7', đ: 'd9' };

/** One word's letters without its tone mark, and the tone. */
function splitTone(word: string): { letters: string[]; tone: Tone } {
  let tone: Tone = 0;
  let rest = '';
  for (const ch of word.normalize('NFD')) {
    const t = TONE_OF_MARK[ch];
    if (t !== undefined) tone = t;
    else rest += ch;
  }
  return { letters: [...rest.normalize('NFC')], tone };
}

function encodeWord(word: string, table: Record<string, string>, toneKey: (tone: Exclude<Tone, 0>) => string): string {
  const { letters, tone } = splitTone(word);
  const upper = word === word.toUpperCase() && word !== word.toLowerCase();
  const out = letters.map((c) => {
    const keys = table[c.toLowerCase()];
    if (!keys) return c;
    return c === c.toLowerCase() ? keys : upper ? keys.toUpperCase() : keys[0]!.toUpperCase() + keys.slice(1);
  });
  return out.join('') + (tone === 0 ? '' : upper ? toneKey(tone).toUpperCase() : toneKey(tone));
}

/**
 * What a typist with the Vietnamese input method switched off types for `text` in Telex
 * ("Nguyễn" → "Nguyeenx", "Đức" → "Dduwcs"): the test data generator's model of that error, and
 * the inverse of `decodeTelex` up to where the tone mark sits.
 */
export function encodeTelex(text: string): string {
  return text.normalize('NFC').replace(WORD, (w) => encodeWord(w, TELEX_LETTER, (t) => TELEX_TONE_LETTER[t]));
}

/** The same in VNI ("Nguyễn" → "Nguye6n4", "Đức" → "D9u7c1"). */
export function encodeVni(text: string): string {
  return text.normalize('NFC').replace(WORD, (w) => encodeWord(w, VNI_LETTER, (t) => String(t)));
}

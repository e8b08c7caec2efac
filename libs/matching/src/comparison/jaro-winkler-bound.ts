// Scratch counts of jaroWinklerBelow, one per character bucket (the code unit's low 7 bits).
const counts = new Int32Array(128);

/**
 * Whether `jaroWinkler(a, b)` is surely below `threshold`, from a bound that costs one pass over
 * each string: Jaro's matches pair equal characters one to one, so there are at most as many as the
 * characters the two strings have in common counted with repetition (here per bucket of characters,
 * which can only count more); with no transposition and that many matches, and the common prefix
 * itself, the Jaro–Winkler formula gives an upper bound of the similarity. False means "maybe not
 * below": then compute it. Names of different people share too few letters to come near the
 * thresholds of the name comparison, and most candidate pairs are such names.
 */
export function jaroWinklerBelow(a: string, b: string, threshold: number): boolean {
  if (a === b) return 1 < threshold;
  return boundBelow(a, b, commonLetters(a, b), threshold);
}

/**
 * The characters `a` and `b` have in common, counted with repetition, per bucket of characters (the
 * code unit's low 7 bits): at least the true count. Two strings that are a reordering of each
 * other's characters have `a.length` in common.
 */
export function commonLetters(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  for (let i = 0; i < la; i++) {
    const k = a.charCodeAt(i) & 127;
    counts[k] = (counts[k] as number) + 1;
  }
  let common = 0;
  for (let i = 0; i < lb; i++) {
    const k = b.charCodeAt(i) & 127;
    if ((counts[k] as number) > 0) {
      counts[k] = (counts[k] as number) - 1;
      common++;
    }
  }
  for (let i = 0; i < la; i++) counts[a.charCodeAt(i) & 127] = 0;
  return common;
}

/** `jaroWinklerBelow` for two different strings with `common` from `commonLetters(a, b)`. */
export function boundBelow(a: string, b: string, common: number, threshold: number): boolean {
  const la = a.length;
  const lb = b.length;
  if (common === 0) return 0 < threshold;
  const dj = (common / la + common / lb + 1) / 3;
  let bound = dj;
  if (dj >= 0.7) {
    let l = 0;
    const prefixLimit = Math.min(la, lb, 4);
    for (let i = 0; i < prefixLimit; i++) {
      if (a.charCodeAt(i) === b.charCodeAt(i)) l++;
      else break;
    }
    bound = dj + l * 0.1 * (1 - dj);
  }
  // A margin for rounding: the bound is computed in the same floating point as the similarity.
  return bound + 1e-9 < threshold;
}

/** The keyboard path through the identity-review queue: pure, so it is tested without a browser. */
export type WorkbenchAction =
  { kind: 'pick'; index: number } | { kind: 'accept' } | { kind: 'reject' } | { kind: 'noRecord' } | { kind: 'next' } | { kind: 'previous' };

/** 1–9 pick a candidate, A accept, R reject all, N no national record, J/K next/previous. Keys typed in a field are not shortcuts. */
export function actionOfKey(key: string, inField: boolean): WorkbenchAction | undefined {
  if (inField) return undefined;
  if (/^[1-9]$/.test(key)) return { kind: 'pick', index: Number(key) - 1 };
  switch (key.toLowerCase()) {
    case 'a':
      return { kind: 'accept' };
    case 'r':
      return { kind: 'reject' };
    case 'n':
      return { kind: 'noRecord' };
    case 'j':
      return { kind: 'next' };
    case 'k':
      return { kind: 'previous' };
    default:
      return undefined;
  }
}

/**
 * The review to open after `current` was decided or skipped: the next one in the page that is not
 * decided yet, else the first undecided before it; undefined when none is left.
 */
export function nextReview(ids: readonly string[], current: string | undefined, decided: ReadonlySet<string>, step: 1 | -1 = 1): string | undefined {
  const open = ids.filter((id) => !decided.has(id) || id === current);
  if (open.length === 0) return undefined;
  const at = current === undefined ? -1 : open.indexOf(current);
  if (at === -1) return open.find((id) => !decided.has(id));
  for (let i = at + step; i >= 0 && i < open.length; i += step) if (!decided.has(open[i]!)) return open[i];
  if (step === 1) for (let i = 0; i < at; i++) if (!decided.has(open[i]!)) return open[i];
  return decided.has(current!) ? undefined : current;
}

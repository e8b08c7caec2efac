import type { Sex, StatedDate } from '../model/person.model';

/**
 * Digits only, 12 long. Spreadsheets turn the number into a numeric cell and drop the leading zero
 * of the province part (`001…` → `1…`), so 10 and 11 digits are left-padded. Anything else is
 * returned as undefined (unusable).
 */
export function normalisePersonalId(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const digits = raw.replace(/\D/g, '');
  if (digits.length === 12) return digits;
  if (digits.length === 10 || digits.length === 11) return digits.padStart(12, '0');
  return undefined;
}

/** Century/sex digit S of `PPP S YY RRRRRR` (national-id.md). */
export function centurySexDigit(year: number, sex: Sex): number {
  const century = Math.floor(year / 100) - 19; // 1900s → 0
  return century * 2 + (sex === 'F' ? 1 : 0);
}

/**
 * Checks a stated ID against the stated birth year and sex, before any look-up. Returns a reason
 * readable by a data officer, or undefined when consistent (or when there is nothing to check).
 */
export function personalIdInconsistency(id: string, dob: StatedDate | undefined, sex: Sex | undefined): string | undefined {
  if (id.length !== 12) return 'the ID is not 12 digits';
  const s = Number(id[3]);
  const yy = Number(id.slice(4, 6));
  const reasons: string[] = [];
  if (dob) {
    const century = Math.floor(s / 2);
    const idYear = 1900 + century * 100 + yy;
    if (idYear !== dob.year) reasons.push(`the ID says born ${idYear}, the record says ${dob.year}`);
  }
  if (sex) {
    const idSex: Sex = s % 2 === 1 ? 'F' : 'M';
    if (idSex !== sex) reasons.push(`the ID says ${idSex === 'F' ? 'female' : 'male'}, the record says ${sex === 'F' ? 'female' : 'male'}`);
  }
  return reasons.length ? reasons.join('; ') : undefined;
}

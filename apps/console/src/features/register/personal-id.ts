// The personal identification number's check, as the domain runs it (libs/domain/src/personal-id):
// the console cannot import the domain (it reaches the services over HTTP only), so the same rules
// are written here and personal-id.spec.ts runs both on the same inputs and expects the same answer.
// Layout `0PP S YY RRRRRR`: province, century and sex, year of birth, serial.

export type Sex = 'M' | 'F';

/** Why a number was refused, in the order the checks run (the domain's own names). */
export type PersonalIdProblem = 'LENGTH_OR_DIGITS' | 'UNKNOWN_PROVINCE_CODE' | 'CENTURY_SEX_MISMATCH' | 'BIRTH_YEAR_MISMATCH';

/** Drops white space (numbers are often written `001 2 15 012345`); nothing else is repaired. */
export function normalisePersonalId(input: string): string {
  return input.replace(/\s+/g, '');
}

function centurySexDigit(year: number, sex: Sex): number | undefined {
  const century = Math.floor(year / 100) * 100;
  if (!Number.isInteger(year) || century < 1900 || century > 2300) return undefined;
  return ((century - 1900) / 100) * 2 + (sex === 'F' ? 1 : 0);
}

/**
 * The first check a number fails for this date of birth (`YYYY-MM-DD`) and sex, or undefined when
 * it passes. `isKnownProvinceCode` says whether a 2-digit code is or was a province code.
 */
export function personalIdProblem(
  input: string,
  person: { dateOfBirth: string; sex: Sex },
  isKnownProvinceCode: (code: string) => boolean,
): PersonalIdProblem | undefined {
  const id = normalisePersonalId(input);
  if (!/^\d{12}$/.test(id)) return 'LENGTH_OR_DIGITS';
  if (id[0] !== '0' || !isKnownProvinceCode(id.slice(1, 3))) return 'UNKNOWN_PROVINCE_CODE';
  const year = Number(person.dateOfBirth.slice(0, 4));
  if (centurySexDigit(year, person.sex) !== Number(id[3])) return 'CENTURY_SEX_MISMATCH';
  if (id.slice(4, 6) !== String(year % 100).padStart(2, '0')) return 'BIRTH_YEAR_MISMATCH';
  return undefined;
}

// The 12-digit personal identification number (số định danh cá nhân), layout `PPP S YY RRRRRR`
// (Law on Identification 2023 Art. 12; Decree 137/2015 Art. 13; Circular 59/2021 Art. 4):
//   PPP    `0` + the 2-digit statistical code of the province where the birth was registered
//          (any code that is or was a province code: codes after the 2025 merger are not confirmed)
//   S      century and sex: 1900s M 0 / F 1, 2000s 2/3, 2100s 4/5, 2200s 6/7, 2300s 8/9
//   YY     last two digits of the year of birth
//   RRRRRR serial, no check digit
// A stated number can thus be checked against the stated birth date and sex before any look-up.

export type Sex = 'M' | 'F';

/** Why a number was refused, in the order the checks run. */
export type PersonalIdProblem = 'LENGTH_OR_DIGITS' | 'UNKNOWN_PROVINCE_CODE' | 'CENTURY_SEX_MISMATCH' | 'BIRTH_YEAR_MISMATCH';

export interface ProvinceCodeLookup {
  /** Whether a 2-digit code is or was a province code. */
  isKnownProvinceCode(code: string): boolean;
}

export interface PersonalIdParts {
  /** The 2-digit province code (PPP without its leading 0). */
  provinceCode: string;
  centurySexDigit: number;
  /** 1900, 2000, 2100, 2200 or 2300. */
  century: number;
  sex: Sex;
  /** Last two digits of the year of birth. */
  yearDigits: string;
  serial: string;
}

export type PersonalIdCheck = { valid: true; personalId: string; parts: PersonalIdParts } | { valid: false; problem: PersonalIdProblem; message: string };

const FIRST_CENTURY = 1900;
const LAST_CENTURY = 2300;

/** Drops white space (numbers are often written `001 2 15 012345`); nothing else is repaired. */
export function normalisePersonalId(input: string): string {
  return input.replace(/\s+/g, '');
}

/** The S digit for a year of birth and sex, or undefined outside 1900–2399. */
export function centurySexDigit(yearOfBirth: number, sex: Sex): number | undefined {
  const century = Math.floor(yearOfBirth / 100) * 100;
  if (!Number.isInteger(yearOfBirth) || century < FIRST_CENTURY || century > LAST_CENTURY) return undefined;
  return ((century - FIRST_CENTURY) / 100) * 2 + (sex === 'F' ? 1 : 0);
}

/** Splits a number into its parts; undefined unless it is 12 digits starting with 0. */
export function parsePersonalId(input: string): PersonalIdParts | undefined {
  const id = normalisePersonalId(input);
  if (!/^0\d{11}$/.test(id)) return undefined;
  const s = Number(id[3]);
  return {
    provinceCode: id.slice(1, 3),
    centurySexDigit: s,
    century: FIRST_CENTURY + Math.floor(s / 2) * 100,
    sex: s % 2 === 0 ? 'M' : 'F',
    yearDigits: id.slice(4, 6),
    serial: id.slice(6),
  };
}

/**
 * Checks a stated number against the stated date of birth (`YYYY-MM-DD`) and sex. Runs the checks
 * in order (shape, province, century/sex, year) and reports the first that fails.
 */
export function checkPersonalId(input: string, person: { dateOfBirth: string; sex: Sex }, provinces: ProvinceCodeLookup): PersonalIdCheck {
  const personalId = normalisePersonalId(input);
  if (!/^\d{12}$/.test(personalId)) {
    return { valid: false, problem: 'LENGTH_OR_DIGITS', message: 'a personal ID is exactly 12 digits' };
  }
  const parts = parsePersonalId(personalId);
  if (!parts || !provinces.isKnownProvinceCode(parts.provinceCode)) {
    return {
      valid: false,
      problem: 'UNKNOWN_PROVINCE_CODE',
      message: `${personalId.slice(0, 3)} is not 0 followed by a province code`,
    };
  }
  const year = Number(person.dateOfBirth.slice(0, 4));
  const expected = centurySexDigit(year, person.sex);
  if (expected === undefined || parts.centurySexDigit !== expected) {
    return {
      valid: false,
      problem: 'CENTURY_SEX_MISMATCH',
      message: `digit 4 is ${parts.centurySexDigit} (${parts.sex}, ${parts.century}s); a ${person.sex === 'F' ? 'girl' : 'boy'} born in ${year} has ${expected ?? 'no valid digit'}`,
    };
  }
  if (parts.yearDigits !== String(year % 100).padStart(2, '0')) {
    return {
      valid: false,
      problem: 'BIRTH_YEAR_MISMATCH',
      message: `digits 5–6 are ${parts.yearDigits}; the year of birth is ${year}`,
    };
  }
  return { valid: true, personalId, parts };
}

/**
 * Builds the number a person would get (for tests, fixtures and the sandbox population register).
 * `serial` is 0–999999.
 */
export function formatPersonalId(provinceCode: string, person: { dateOfBirth: string; sex: Sex }, serial: number): string {
  if (!/^\d{2}$/.test(provinceCode)) throw new RangeError(`province code must be 2 digits: ${provinceCode}`);
  const year = Number(person.dateOfBirth.slice(0, 4));
  const s = centurySexDigit(year, person.sex);
  if (s === undefined) throw new RangeError(`no century digit for ${year}`);
  if (!Number.isInteger(serial) || serial < 0 || serial > 999_999) throw new RangeError(`serial out of range: ${serial}`);
  return `0${provinceCode}${s}${String(year % 100).padStart(2, '0')}${String(serial).padStart(6, '0')}`;
}

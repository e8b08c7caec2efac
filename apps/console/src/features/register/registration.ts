import type { RegistrySchemas } from '../../api';
import { FormProblem } from './form-problems';
import { normalisePersonalId, personalIdProblem, Sex } from './personal-id';

// The API's limits (libs/domain/src/shared/text.ts, child.decider.ts): the form refuses what the API would.
export const MAX_NAME_LENGTH = 200;
export const MAX_TEXT_LENGTH = 4000;
export const CHILD_AGE_LIMIT_YEARS = 16;

/** What the register form holds, dates as `YYYY-MM-DD` (empty: not given). */
export interface RegistrationInput {
  fullName?: string;
  dateOfBirth?: string;
  sex?: Sex;
  personalId?: string;
  residence?: { communeCode?: string; effectiveFrom?: string };
  motherName?: string;
  fatherName?: string;
  notes?: string;
}

export interface ValidationContext {
  /** Today in Vietnam, `YYYY-MM-DD`. */
  today: string;
  /** Whether a 2-digit code is or was a province code (for the personal ID). */
  isKnownProvinceCode(code: string): boolean;
}

/** The same day `years` later (29 February falls on 1 March), as the domain computes a 16th birthday. */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + years, m - 1, d)).toISOString().slice(0, 10);
}

const text = (v: string | undefined) => (v ?? '').normalize('NFC').trim();

/** The field paths the register form has (the API's names), for placing the API's problems. */
export const REGISTRATION_FIELDS = [
  'fullName',
  'dateOfBirth',
  'sex',
  'personalId',
  'residence.communeCode',
  'residence.effectiveFrom',
  'motherName',
  'fatherName',
  'notes',
] as const;

/**
 * The problems the API would find in a registration, checked in the console first: the DTO's rules
 * (required fields, lengths) and the domain's (a child under 16, no date in the future or before
 * birth, a personal ID that fits the birth date and sex). Whether the commune is in force on the
 * date is the picker's business (it only offers those) and the API's.
 */
export function validateRegistration(input: RegistrationInput, ctx: ValidationContext): FormProblem[] {
  const problems: FormProblem[] = [];
  const name = text(input.fullName);
  if (name === '') problems.push({ field: 'fullName', rule: 'required' });
  else if (name.length > MAX_NAME_LENGTH) problems.push({ field: 'fullName', rule: 'maxLength' });
  const dob = input.dateOfBirth ?? '';
  if (dob === '') problems.push({ field: 'dateOfBirth', rule: 'required' });
  else if (dob > ctx.today) problems.push({ field: 'dateOfBirth', rule: 'DATE_IN_FUTURE' });
  else if (addYears(dob, CHILD_AGE_LIMIT_YEARS) <= ctx.today) problems.push({ field: 'dateOfBirth', rule: 'CHILD_TOO_OLD' });
  if (input.sex !== 'M' && input.sex !== 'F') problems.push({ field: 'sex', rule: 'required' });
  const id = normalisePersonalId(input.personalId ?? '');
  if (id !== '' && dob !== '' && input.sex) {
    const problem = personalIdProblem(id, { dateOfBirth: dob, sex: input.sex }, ctx.isKnownProvinceCode);
    if (problem) problems.push({ field: 'personalId', rule: 'INVALID_PERSONAL_ID', personalIdProblem: problem });
  } else if (id !== '' && !/^\d{12}$/.test(id)) {
    problems.push({ field: 'personalId', rule: 'INVALID_PERSONAL_ID', personalIdProblem: 'LENGTH_OR_DIGITS' });
  }
  if (!input.residence?.communeCode) problems.push({ field: 'residence.communeCode', rule: 'required' });
  const from = input.residence?.effectiveFrom ?? '';
  if (from === '') problems.push({ field: 'residence.effectiveFrom', rule: 'required' });
  else if (from > ctx.today) problems.push({ field: 'residence.effectiveFrom', rule: 'DATE_IN_FUTURE' });
  else if (dob !== '' && from < dob) problems.push({ field: 'residence.effectiveFrom', rule: 'DATE_BEFORE_BIRTH' });
  for (const field of ['motherName', 'fatherName'] as const) if (text(input[field]).length > MAX_NAME_LENGTH) problems.push({ field, rule: 'maxLength' });
  if (text(input.notes).length > MAX_TEXT_LENGTH) problems.push({ field: 'notes', rule: 'maxLength' });
  return problems;
}

type RegisterBody = RegistrySchemas['schemas']['RegisterChildDto'];

/** The request body for a valid input (optional fields left out when empty). */
export function registrationBody(input: RegistrationInput): RegisterBody {
  const optional = (v: string | undefined) => (text(v) === '' ? undefined : text(v));
  const id = normalisePersonalId(input.personalId ?? '');
  return {
    fullName: text(input.fullName),
    dateOfBirth: input.dateOfBirth ?? '',
    sex: input.sex ?? 'M',
    ...(id ? { personalId: id } : {}),
    residence: { communeCode: input.residence?.communeCode ?? '', effectiveFrom: input.residence?.effectiveFrom ?? '' },
    ...(optional(input.motherName) ? { motherName: optional(input.motherName) } : {}),
    ...(optional(input.fatherName) ? { fatherName: optional(input.fatherName) } : {}),
    ...(optional(input.notes) ? { notes: optional(input.notes) } : {}),
  };
}

/** Today in Vietnam (UTC+7), `YYYY-MM-DD`. */
export function vietnamToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

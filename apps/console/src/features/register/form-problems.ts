import { ApiError } from '../../api';
import type { PersonalIdProblem } from './personal-id';

/** One problem with a form's input: the field as the API names it (dotted path) and the rule broken. */
export interface FormProblem {
  field: string;
  rule: string;
  /** With INVALID_PERSONAL_ID found in the console: which check failed. */
  personalIdProblem?: PersonalIdProblem;
}

// The rules the console has a sentence for (register.problem.<rule>); any other reads as `other`.
export const KNOWN_RULES = [
  'required',
  'isNotEmpty',
  'isDefined',
  'maxLength',
  'isCalendarDate',
  'matches',
  'isIn',
  'DATE_IN_FUTURE',
  'DATE_BEFORE_BIRTH',
  'DATE_OUT_OF_ORDER',
  'CHILD_TOO_OLD',
  'INVALID_PERSONAL_ID',
  'UNKNOWN_COMMUNE',
  'NOTHING_TO_CHANGE',
  'NAME_REQUIRED',
  'NAME_TOO_LONG',
  'INVALID_CHARACTERS',
  'MISSING_REASON',
  'CIRCUMSTANCE_ALREADY_ACTIVE',
  'CIRCUMSTANCE_NOT_ACTIVE',
  'RISK_ALREADY_ACTIVE',
  'RISK_NOT_ACTIVE',
  'VERSION_CONFLICT',
] as const;
export type KnownRule = (typeof KNOWN_RULES)[number];

export function knownRule(rule: string): KnownRule | 'other' {
  return (KNOWN_RULES as readonly string[]).includes(rule) ? (rule as KnownRule) : 'other';
}

/**
 * An API refusal split into the problems of the form's own fields (shown beside their inputs) and
 * the rest (shown once above the form). `fields` are the dotted paths the form has.
 */
export function splitApiProblems(error: ApiError, fields: readonly string[]): { byField: FormProblem[]; general: FormProblem[] } {
  const byField: FormProblem[] = [];
  const general: FormProblem[] = [];
  for (const p of error.problems) {
    const field = p.field ?? '';
    if (fields.includes(field)) byField.push({ field, rule: p.rule });
    else general.push({ field, rule: p.rule });
  }
  if (byField.length === 0 && general.length === 0) general.push({ field: '', rule: error.code ?? 'other' });
  return { byField, general };
}

/** The sentence for a problem, in the current language. */
export function problemText(
  t: (key: `register.problem.${KnownRule | 'other'}` | `register.personalIdProblem.${PersonalIdProblem}`) => string,
  p: FormProblem,
): string {
  if (p.personalIdProblem) return t(`register.personalIdProblem.${p.personalIdProblem}`);
  return t(`register.problem.${knownRule(p.rule)}`);
}

/** antd Form's setFields entries: each field's sentences beside its input (and none for the others). */
export function fieldErrors(
  problems: readonly FormProblem[],
  fields: readonly string[],
  text: (p: FormProblem) => string,
): { name: string[]; errors: string[] }[] {
  return fields.map((field) => ({ name: field.split('.'), errors: problems.filter((p) => p.field === field).map(text) }));
}

/** The field paths a change touched (antd's onValuesChange gives nested objects; dates are not descended into). */
export function changedPaths(changed: object, prefix: string[] = []): string[][] {
  return Object.entries(changed).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype ? changedPaths(v as object, [...prefix, k]) : [[...prefix, k]],
  );
}

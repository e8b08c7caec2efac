import type { TFunction } from 'i18next';
import { tKey } from '../../i18n/resources';
import type { ReferenceProblem } from './use-admin';

// The rules the query API names (ReferenceRowProblemDto.rule), each said in the user's language.
const RULES = {
  UNIT_CODE_FORMAT: tKey('admin.rule.UNIT_CODE_FORMAT'),
  UNIT_NOT_IN_FORCE: tKey('admin.rule.UNIT_NOT_IN_FORCE'),
  OUTSIDE_JURISDICTION: tKey('admin.rule.OUTSIDE_JURISDICTION'),
  PERIOD_FORMAT: tKey('admin.rule.PERIOD_FORMAT'),
  INDICATOR_UNKNOWN: tKey('admin.rule.INDICATOR_UNKNOWN'),
  NOT_A_NUMBER: tKey('admin.rule.NOT_A_NUMBER'),
  NEGATIVE: tKey('admin.rule.NEGATIVE'),
  NOT_WHOLE: tKey('admin.rule.NOT_WHOLE'),
  DUPLICATE: tKey('admin.rule.DUPLICATE'),
  CONTENT_TYPE: tKey('admin.rule.CONTENT_TYPE'),
  UNREADABLE_FILE: tKey('admin.rule.UNREADABLE_FILE'),
  NO_ROWS: tKey('admin.rule.NO_ROWS'),
  TOO_MANY_ROWS: tKey('admin.rule.TOO_MANY_ROWS'),
  MISSING_COLUMN: tKey('admin.rule.MISSING_COLUMN'),
} as const;

const FIELDS = {
  unit_code: tKey('admin.field.unit_code'),
  period: tKey('admin.field.period'),
  indicator: tKey('admin.field.indicator'),
  target: tKey('admin.field.target'),
  child_population: tKey('admin.field.child_population'),
  body: tKey('admin.field.body'),
} as const;

/** The column's name on screen (the file's own header name when it is not one the API knows). */
export function fieldLabel(t: TFunction, field: string | null): string {
  return field && field in FIELDS ? t(FIELDS[field as keyof typeof FIELDS]) : (field ?? '');
}

/** One problem in words: "Kỳ: Kỳ phải là năm (2026), …". */
export function problemText(t: TFunction, p: { field: string | null; rule: ReferenceProblem['rule'] | string }): string {
  const key = RULES[p.rule as keyof typeof RULES];
  const message = key ? t(key, { column: p.field ?? '' }) : t('admin.rule.other');
  return p.field && p.field !== 'body' && p.rule !== 'MISSING_COLUMN' ? t('admin.problemAt', { field: fieldLabel(t, p.field), message }) : message;
}

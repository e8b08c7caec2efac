/**
 * The fixed text of each rule an import row can break, as import reports show it: a report keeps
 * the row's number and the rule (column, code, this text), never a value from the row. Messages
 * that quote a cell (the parser's, the domain's) are not stored.
 */
const RULES: Readonly<Record<string, string>> = {
  UNREADABLE_ROW: 'the row cannot be read',
  TOO_LONG: 'the cell is longer than the format allows',
  NAME_REQUIRED: 'a name is required',
  NAME_TOO_LONG: 'the name is longer than the format allows',
  INVALID_DATE: 'not a date (dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy, mm/yyyy or yyyy)',
  INVALID_SEX: 'the sex must be Nam/Nữ, M/F or male/female',
  UNKNOWN_COMMUNE: 'not a commune in force (name or code)',
  AMBIGUOUS_COMMUNE: 'the commune name matches several communes: give the code or the province',
  UNKNOWN_PROVINCE: 'not a province name or code',
  INVALID_GROUP: 'not a special-circumstance group of the format',
  DUPLICATE_RECORD_REF: 'the record_ref is on an earlier row of the file',
  DUPLICATE_ROW: 'the same child as an earlier row of the file',
  OUTSIDE_JURISDICTION: 'the commune is outside your jurisdiction',
  ROLE: 'your role may not register children',
  LEADING_ZERO_RESTORED: 'the personal ID had 11 digits; its leading 0 was restored',
  'INVALID_PERSONAL_ID.LENGTH_OR_DIGITS':
    'registered without the personal ID (incomplete; the number is kept aside for reconciliation): a personal ID is exactly 12 digits',
  'INVALID_PERSONAL_ID.UNKNOWN_PROVINCE_CODE':
    'registered without the personal ID (incomplete; the number is kept aside for reconciliation): its first three digits are not a province code',
  'INVALID_PERSONAL_ID.CENTURY_SEX_MISMATCH':
    'registered without the personal ID (incomplete; the number is kept aside for reconciliation): its century-and-sex digit contradicts the date of birth or the sex',
  'INVALID_PERSONAL_ID.BIRTH_YEAR_MISMATCH':
    'registered without the personal ID (incomplete; the number is kept aside for reconciliation): its birth-year digits contradict the date of birth',
  INCOMPLETE_SEX: 'registered without a sex (the cell is empty): the record is incomplete, correct it later',
  // The domain's rules (RegistryError codes) a registration can break.
  INVALID_INPUT: 'a required value is missing or malformed',
  DATE_IN_FUTURE: 'the date is in the future',
  DATE_BEFORE_BIRTH: 'the date is before the date of birth',
  DATE_OUT_OF_ORDER: 'the dates are out of order',
  CHILD_TOO_OLD: 'the child is 16 or older: the registry is for children under 16',
  INVALID_PERSONAL_ID: 'the personal ID is not valid for this child',
  CHILD_ALREADY_REGISTERED: 'the child is already registered',
  CIRCUMSTANCE_ALREADY_ACTIVE: 'the special circumstance is listed twice',
};

/** Codes whose reasons the importer writes itself from row numbers only: kept as written. */
export const ROW_NUMBER_REASONS: ReadonlySet<string> = new Set(['DUPLICATE_RECORD_REF', 'DUPLICATE_ROW']);

/** The rule's fixed text for a problem code (never a cell's value). */
export function ruleText(code: string, column: string | null): string {
  return RULES[code] ?? `the row breaks rule ${code}${column ? ` (column ${column})` : ''}`;
}

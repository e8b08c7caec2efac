import { stringify } from 'csv-stringify/sync';

/** What a spreadsheet reads as the start of a formula (or a DDE payload): =, +, -, @, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell as text that a spreadsheet shows as text: a value beginning with a formula character gets
 * a leading `'` (OWASP's CSV injection advice), so `=HYPERLINK(…)` in a reason stays a reason.
 * Null and undefined stay empty cells.
 */
export function neutraliseCell(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = value instanceof Date ? value.toISOString() : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** A CSV document with a header, every cell neutralised. */
export function safeCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify(
    rows.map((r) => r.map(neutraliseCell)),
    { header: true, columns: [...columns] },
  );
}

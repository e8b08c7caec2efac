import { foldVietnamese } from '@childledger/admin-units';
import { CHILD_RECORD_HEADERS } from '@childledger/matching';

/** The columns of the child-records format (shared/docs/formats.md). */
export const RECORD_COLUMNS = Object.keys(CHILD_RECORD_HEADERS) as (keyof typeof CHILD_RECORD_HEADERS)[];
export type RecordColumn = keyof typeof CHILD_RECORD_HEADERS;

/** A row cannot be read without these. */
export const REQUIRED_COLUMNS: readonly RecordColumn[] = ['full_name', 'date_of_birth', 'sex', 'commune'];

/** The English name and the Vietnamese headers formats.md accepts for each column. */
const HEADER_ALIASES: Record<RecordColumn, readonly string[]> = CHILD_RECORD_HEADERS;

/**
 * The key a header is matched on: trimmed, case-folded, without diacritics, punctuation and
 * underscores as spaces. `Họ và tên`, `HO VA TEN` and `ho_va_ten` give `ho va ten`.
 */
export function headerKey(header: string): string {
  return foldVietnamese(header.normalize('NFC'));
}

const BY_KEY = new Map<string, RecordColumn>(
  (Object.entries(HEADER_ALIASES) as [RecordColumn, readonly string[]][]).flatMap(([column, aliases]) => aliases.map((a) => [headerKey(a), column] as const)),
);

export interface HeaderMapping {
  /** Column index (0-based) → column, for the recognised headers. */
  columns: Map<number, RecordColumn>;
  /** The header text as the file spells it, per column: reports quote it back. */
  headers: Map<RecordColumn, string>;
  /** Headers that are not part of the format (ignored). */
  unknown: string[];
  /** Recognised twice: the later one is ignored. */
  repeated: string[];
  missing: RecordColumn[];
}

export function mapHeaders(cells: readonly string[]): HeaderMapping {
  const columns = new Map<number, RecordColumn>();
  const headers = new Map<RecordColumn, string>();
  const unknown: string[] = [];
  const repeated: string[] = [];
  cells.forEach((cell, index) => {
    const text = cell.trim();
    if (text === '') return;
    const column = BY_KEY.get(headerKey(text));
    if (!column) unknown.push(text);
    else if (headers.has(column)) repeated.push(text);
    else {
      columns.set(index, column);
      headers.set(column, text);
    }
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !headers.has(c));
  return { columns, headers, unknown, repeated, missing };
}

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import * as ExcelJS from 'exceljs';
import { checkArchive } from './archive-limits';
import { ImportLimits, resolveImportLimits } from './import-limits';

export type ImportFormat = 'csv' | 'xlsx';

/** A row as the file holds it: 1-based row (line) number and raw cells (text, numbers, dates). */
export interface SourceRow {
  rowNumber: number;
  cells: unknown[];
  /** Set when the row could not be read at all (a CSV quoting error). */
  error?: string;
}

/** XLSX files are ZIP archives (`PK\x03\x04`); anything else is read as CSV. */
export async function detectFormat(path: string): Promise<ImportFormat> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.readUInt32LE(0) === 0x04034b50 ? 'xlsx' : 'csv';
  } finally {
    await file.close();
  }
}

/** The delimiter of the first line: `,` (RFC 4180) unless `;` or a tab clearly is (spreadsheet exports vary). */
async function sniffDelimiter(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(65_536), 0, 65_536, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
    const outside = firstLine.replace(/"[^"]*"/g, '');
    const count = (c: string) => outside.split(c).length - 1;
    const [best] = [',', ';', '\t'].sort((a, b) => count(b) - count(a));
    return best && count(best) > 0 ? best : ',';
  } finally {
    await file.close();
  }
}

function counting(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/**
 * The rows of a CSV or XLSX file, streamed (never the whole file in memory). `onBytes` reports
 * bytes read from disk, for progress. XLSX: the first worksheet only; date cells come as `Date`.
 * An XLSX archive is checked against `limits` (archive-limits.ts: declared sizes, then the bytes
 * actually inflated) before ExcelJS reads it; passing one throws ImportLimitError.
 */
export async function* readRows(
  path: string,
  format: ImportFormat,
  onBytes: (n: number) => void = () => undefined,
  limits: Partial<ImportLimits> = {},
): AsyncGenerator<SourceRow> {
  if (format === 'csv') yield* readCsv(path, onBytes);
  else yield* readXlsx(path, onBytes, resolveImportLimits(limits));
}

async function* readCsv(path: string, onBytes: (n: number) => void): AsyncGenerator<SourceRow> {
  const delimiter = await sniffDelimiter(path);
  const skipped: SourceRow[] = [];
  const parser = parse({ bom: true, delimiter, relax_column_count: true, info: true, skip_records_with_error: true });
  parser.on('skip', (err: Error & { lines?: number }) => skipped.push({ rowNumber: err.lines ?? 0, cells: [], error: err.message }));
  const input = createReadStream(path).pipe(counting(onBytes));
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skipped.splice(0);
    yield { rowNumber: item.info.lines, cells: item.record };
  }
  yield* skipped.splice(0);
}

async function* readXlsx(path: string, onBytes: (n: number) => void, limits: ImportLimits): AsyncGenerator<SourceRow> {
  await checkArchive(path, (await stat(path)).size, limits);
  const input = createReadStream(path).pipe(counting(onBytes));
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = Array.isArray(row.values) ? row.values.slice(1) : [];
      yield { rowNumber: row.number, cells: values.map(cellValue) };
    }
    break; // the first worksheet only
  }
  input.destroy();
}

/** A spreadsheet cell's value as text, number or date (formulas give their result). */
export function cellValue(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellValue(v.result);
    if (typeof v.text === 'string') return v.text;
    if (typeof v.error === 'string') return '';
  }
  return String(value);
}

/** A cell as trimmed NFC text (dates as YYYY-MM-DD, numbers without exponent). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  return String(value).normalize('NFC').trim();
}

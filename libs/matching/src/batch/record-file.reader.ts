import type { PreparedRecord } from '../model/person.model';
import type { PersonPreparer } from '../model/person.preparer';
import { childRecordReader } from '../parsing/csv-header.mapper';
import { readFile } from 'node:fs/promises';
import { csvRowBatches, csvRows, usesLoneCr } from './csv-rows.reader';

export interface RecordFile {
  /** Every row in input order; undefined for a row that could not be read. */
  readonly records: (PreparedRecord | undefined)[];
  readonly refs: string[];
  /** Row index → why it could not be read. */
  readonly unreadable: Map<number, string>;
}

/**
 * Reads and prepares a child-records file (formats.md). The batch's main thread and each of its
 * worker threads read it themselves, at the same time: the same rows and the same preparer give the
 * same records, without copying a hundred thousand prepared records to each thread.
 */
export async function readRecordFile(file: string, preparer: PersonPreparer, onProgress: (done: number) => void = () => undefined): Promise<RecordFile> {
  const records: (PreparedRecord | undefined)[] = [];
  const refs: string[] = [];
  const unreadable = new Map<number, string>();
  let reader: ReturnType<typeof childRecordReader> | undefined;
  let rowNumber = 1;
  for await (const rows of csvRows(file)) {
    for (const { cells: row } of rows) {
      if (!reader) {
        reader = childRecordReader(row);
        if (reader.missing.length) throw new Error(`${file}: missing column(s) ${reader.missing.join(', ')}`);
        continue;
      }
      rowNumber++;
      const i = records.length;
      const why = addRecordRow(reader, preparer, row, rowNumber, records, refs);
      if (why !== undefined) unreadable.set(i, why);
      else if (records.length % 10_000 === 0) onProgress(records.length);
    }
  }
  return { records, refs, unreadable };
}

/**
 * Reads and prepares one row into `records` and `refs` (an unreadable row as `undefined` and
 * `row-<n>`); returns why it could not be read, or undefined.
 */
function addRecordRow(
  reader: ReturnType<typeof childRecordReader>,
  preparer: PersonPreparer,
  row: string[],
  rowNumber: number,
  records: (PreparedRecord | undefined)[],
  refs: string[],
): string | undefined {
  const result = reader.read(row, rowNumber);
  if (!result.ok) {
    records.push(undefined);
    refs.push(`row-${rowNumber}`);
    return `row ${rowNumber}, column ${result.column ?? '?'}: ${result.reason}`;
  }
  const prepared = preparer.prepareRecord(result.value);
  records.push(prepared);
  refs.push(prepared.recordRef);
  return undefined;
}

/** The rows of one byte range of a records file, read and prepared: a part of `RecordFile`. */
export interface RecordPart {
  readonly records: (PreparedRecord | undefined)[];
  readonly refs: string[];
  /** Index in this part → why the row could not be read. */
  readonly unreadable: [number, string][];
}

/** How a records file is cut into parts of whole rows, each read by one thread. */
export interface RecordPartsPlan {
  readonly header: string[];
  /** Byte ranges [start, end) after the header. */
  readonly ranges: [number, number][];
  /** The row number (the header is row 1) of each range's first row. */
  readonly firstRows: number[];
}

const NL = 0x0a;
const CR = 0x0d;

/**
 * Cuts a records file into `parts` ranges of whole lines with the row number each starts at, or
 * undefined when it cannot be cut safely: a file with a double quote (a quoted field may span
 * lines) or with lone-CR line ends is read whole. Every thread that plans the same file gets the
 * same plan.
 */
export async function planRecordParts(file: string, parts: number): Promise<RecordPartsPlan | undefined> {
  if (parts < 2 || (await usesLoneCr(file))) return undefined;
  const data = await readFile(file);
  if (data.indexOf(0x22) >= 0) return undefined;
  const bom = data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
  const nl = data.indexOf(NL, bom);
  if (nl < 0) return undefined;
  const headerEnd = nl + 1;
  const headerLineEnd = nl > bom && data[nl - 1] === CR ? nl - 1 : nl;
  if (headerLineEnd <= bom) return undefined;
  const header = data.toString('utf8', bom, headerLineEnd).split(',');
  const bounds = [headerEnd];
  for (let k = 1; k < parts; k++) {
    const at = Math.max(bounds[k - 1] as number, headerEnd + Math.floor(((data.length - headerEnd) * k) / parts) - 1);
    const next = data.indexOf(NL, at);
    bounds.push(next < 0 ? data.length : next + 1);
  }
  bounds.push(data.length);
  const ranges = bounds.slice(0, -1).map((b, k): [number, number] => [b, bounds[k + 1] as number]);
  // Row numbers: the non-empty lines before each range (csvRowBatches skips empty ones).
  const firstRows: number[] = [];
  let row = 2;
  for (const [start, end] of ranges) {
    firstRows.push(row);
    for (let at = start; at < end;) {
      let e = data.indexOf(NL, at);
      if (e < 0 || e >= end) e = end;
      const lineEnd = e > at && data[e - 1] === CR ? e - 1 : e;
      if (lineEnd > at) row++;
      at = e + 1;
    }
  }
  return { header, ranges, firstRows };
}

/** Reads and prepares part `k` of a planned records file (as `readRecordFile` reads those rows). */
export async function readRecordPart(file: string, preparer: PersonPreparer, plan: RecordPartsPlan, k: number): Promise<RecordPart> {
  const reader = childRecordReader(plan.header);
  if (reader.missing.length) throw new Error(`${file}: missing column(s) ${reader.missing.join(', ')}`);
  const [start, end] = plan.ranges[k] as [number, number];
  const records: (PreparedRecord | undefined)[] = [];
  const refs: string[] = [];
  const unreadable: [number, string][] = [];
  let rowNumber = (plan.firstRows[k] as number) - 1;
  if (end > start) {
    for await (const rows of csvRowBatches(file, { start, end })) {
      for (const { cells: row } of rows) {
        rowNumber++;
        const i = records.length;
        const why = addRecordRow(reader, preparer, row, rowNumber, records, refs);
        if (why !== undefined) unreadable.push([i, why]);
      }
    }
  }
  return { records, refs, unreadable };
}

/** The parts of a records file, in order, as one `RecordFile`. */
export function joinRecordParts(parts: readonly RecordPart[]): RecordFile {
  const records: (PreparedRecord | undefined)[] = [];
  const refs: string[] = [];
  const unreadable = new Map<number, string>();
  for (const part of parts) {
    const base = records.length;
    for (const r of part.records) records.push(r);
    for (const ref of part.refs) refs.push(ref);
    for (const [i, reason] of part.unreadable) unreadable.set(base + i, reason);
  }
  return { records, refs, unreadable };
}

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

/** One CSV row with the byte range [start, end) of its line(s) in the file. */
export interface CsvRow {
  readonly cells: string[];
  readonly start: number;
  readonly end: number;
}

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const CHUNK = 1 << 20;

/**
 * The rows of a CSV file (or of the byte range [start, end) of whole lines in it), in batches, as
 * `csv-parse` with `{ bom, relax_column_count, skip_empty_lines }` reads them, only faster: a line
 * without a double quote is split on commas (what csv-parse does with it); a line with one, and the
 * lines that follow it until its quotes balance, are handed to csv-parse itself. Lines end with LF
 * or CRLF; a file whose lines end with a lone CR is not this reader's (`usesLoneCr`).
 */
export async function* csvRowBatches(file: string, range: { start?: number; end?: number; chunkSize?: number } = {}): AsyncGenerator<CsvRow[]> {
  const handle = await open(file, 'r');
  try {
    const end = range.end ?? (await handle.stat()).size;
    let pos = range.start ?? 0;
    if (pos === 0) {
      const head = Buffer.alloc(3);
      const { bytesRead } = await handle.read(head, 0, 3, 0);
      if (bytesRead === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) pos = 3;
    }
    let carry: Buffer = Buffer.alloc(0);
    let carryStart = pos;
    const chunk = range.chunkSize ?? CHUNK;
    const buf = Buffer.allocUnsafe(chunk);
    while (pos < end || carry.length) {
      const want = Math.min(chunk, end - pos);
      const { bytesRead } = want > 0 ? await handle.read(buf, 0, want, pos) : { bytesRead: 0 };
      pos += bytesRead;
      const last = pos >= end || bytesRead === 0;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const base = carryStart;
      let at = 0;
      const rows: CsvRow[] = [];
      let quoted = -1; // start of a multi-line quoted row, or -1
      let quotes = 0;
      const size = data.length;
      while (at < size) {
        // One pass over the line's bytes: its end, and whether it has a quote.
        let nl = at;
        let quote = false;
        for (; nl < size; nl++) {
          const c = data[nl];
          if (c === NL) break;
          if (c === QUOTE) quote = true;
        }
        if (nl >= size && !last) break;
        const lineEnd = nl > at && data[nl - 1] === CR ? nl - 1 : nl;
        const next = Math.min(nl + 1, size);
        if (quoted < 0) {
          if (!quote) {
            if (lineEnd > at) rows.push({ cells: data.toString('utf8', at, lineEnd).split(','), start: base + at, end: base + next });
            at = next;
            continue;
          }
          quoted = at;
          quotes = 0;
        }
        for (let k = at; k < lineEnd; k++) if (data[k] === QUOTE) quotes++;
        at = next;
        if (quotes % 2 === 0) {
          for (const cells of parseSync(data.subarray(quoted, lineEnd), { relax_column_count: true, skip_empty_lines: true }) as string[][]) {
            rows.push({ cells, start: base + quoted, end: base + next });
          }
          quoted = -1;
        } else if (at >= size && last) {
          // An open quote at the end of the file: csv-parse's own error.
          parseSync(data.subarray(quoted), { relax_column_count: true, skip_empty_lines: true });
        }
      }
      const keep = quoted >= 0 ? quoted : at;
      carry = Buffer.from(data.subarray(keep));
      carryStart = base + keep;
      if (rows.length) yield rows;
      if (last && keep >= data.length) break;
      if (last && bytesRead === 0 && carry.length) {
        // Only an unterminated quoted row can be left: parse it as csv-parse would.
        const cells = parseSync(carry, { relax_column_count: true, skip_empty_lines: true }) as string[][];
        yield cells.map((c) => ({ cells: c, start: carryStart, end: carryStart + carry.length }));
        break;
      }
    }
  } finally {
    await handle.close();
  }
}

/** Whether the file's first line ends with a lone CR (old Mac line ends), which `csvRowBatches` does not read. */
export async function usesLoneCr(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    const cr = head.indexOf(CR);
    return cr >= 0 && head[cr + 1] !== NL && (head.indexOf(NL) < 0 || head.indexOf(NL) > cr);
  } finally {
    await handle.close();
  }
}

/**
 * `csvRowBatches`, or csv-parse itself for a file with lone-CR line ends (then without byte
 * offsets: start and end are -1).
 */
export async function* csvRows(file: string, range: { start?: number; end?: number } = {}): AsyncGenerator<CsvRow[]> {
  if (!(await usesLoneCr(file))) {
    yield* csvRowBatches(file, range);
    return;
  }
  const stream = createReadStream(file, { start: range.start, end: range.end === undefined ? undefined : range.end - 1, highWaterMark: 1 << 20 });
  let batch: CsvRow[] = [];
  for await (const cells of stream.pipe(
    parse({ bom: range.start === undefined || range.start === 0, relax_column_count: true, skip_empty_lines: true }),
  ) as AsyncIterable<string[]>) {
    batch.push({ cells, start: -1, end: -1 });
    if (batch.length >= 4096) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

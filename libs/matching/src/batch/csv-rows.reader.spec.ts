import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvRowBatches, csvRows } from './csv-rows.reader';

jest.setTimeout(120_000);

const all = async (file: string, options: Parameters<typeof csvRowBatches>[1] = {}) => {
  const rows: { cells: string[]; start: number; end: number }[] = [];
  for await (const batch of csvRowBatches(file, options)) rows.push(...batch);
  return rows;
};

describe(csvRowBatches.name, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'csv-rows-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what csv-parse reads: quotes, commas and line ends in quotes, CRLF, empty lines, a BOM, any chunk size', async () => {
    const field = fc.oneof(
      fc.array(fc.constantFrom(...'aăễ 0,-'), { maxLength: 6 }).map((cs) => cs.join('').replace(/,/g, '')),
      fc.array(fc.constantFrom(...'aễ ,"\n\r'), { maxLength: 6 }).map((cs) => `"${cs.join('').replace(/"/g, '""')}"`),
    );
    const row = fc.array(field, { minLength: 1, maxLength: 4 }).map((fs) => fs.join(','));
    const file = fc.record({
      rows: fc.array(row, { maxLength: 12 }),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      empty: fc.array(fc.nat(12), { maxLength: 3 }),
      finalNewline: fc.boolean(),
      chunkSize: fc.constantFrom(1, 2, 3, 7, 64, 1 << 20),
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const eol = f.crlf ? '\r\n' : '\n';
        const lines = [...f.rows];
        for (const at of f.empty) lines.splice(Math.min(at, lines.length), 0, '');
        const text = `${f.bom ? '\ufeff' : ''}${lines.join(eol)}${f.finalNewline && lines.length ? eol : ''}`;
        const path = join(dir, `f${n++}.csv`);
        writeFileSync(path, text);
        const expected = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
        const got = await all(path, { chunkSize: f.chunkSize });
        expect(got.map((r) => r.cells)).toEqual(expected);
        // Each row's byte range reads back as that row alone.
        const bytes = Buffer.from(text);
        for (const r of got) {
          const again = parse(bytes.subarray(r.start, r.end), { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
          expect(again).toEqual([r.cells]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads a byte range of whole lines, and a lone-CR file through csv-parse', async () => {
    const path = join(dir, 'range.csv');
    writeFileSync(path, 'h1,h2\na,b\n"c,d",e\nf,g\n');
    const rows = await all(path, { start: 6, end: 18 });
    expect(rows.map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['c,d', 'e'],
    ]);
    expect(rows[0]).toMatchObject({ start: 6, end: 10 });
    const cr = join(dir, 'cr.csv');
    writeFileSync(cr, 'h1,h2\ra,b\r');
    const got: string[][] = [];
    for await (const batch of csvRows(cr)) got.push(...batch.map((r) => r.cells));
    expect(got).toEqual([
      ['h1', 'h2'],
      ['a', 'b'],
    ]);
  });
});

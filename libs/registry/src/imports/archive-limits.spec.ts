import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ExcelJS from 'exceljs';
import { checkArchive, checkCentralDirectory, checkInflatedSizes } from './archive-limits';
import { DEFAULT_IMPORT_LIMITS, ImportLimitError, ImportLimits, importFailureRule } from './import-limits';
import { readRows } from './row-source';

const MB = 1024 * 1024;

/** A workbook of one sheet: a header and `rows` rows of one repeated cell (a small zip bomb when `rows` is large). */
async function workbook(rows: number, extraSheets = 0): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Sheet1');
  sheet.addRow(['Ho va ten']);
  for (let i = 0; i < rows; i += 1) sheet.addRow(['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']);
  for (let s = 0; s < extraSheets; s += 1) book.addWorksheet(`Extra${s}`).addRow(['x']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The central-directory records of a ZIP: offset of each and its entry's name. */
function centralRecords(zip: Buffer): { offset: number; name: string }[] {
  const records: { offset: number; name: string }[] = [];
  for (let i = 0; i + 46 <= zip.length; i += 1) {
    if (zip.readUInt32LE(i) !== 0x02014b50) continue;
    const nameLength = zip.readUInt16LE(i + 28);
    records.push({ offset: i, name: zip.subarray(i + 46, i + 46 + nameLength).toString('utf8') });
  }
  return records;
}

/** The same archive with every size its headers declare (central directory and local headers) set to `size`: a file whose declared sizes lie. */
function lyingSizes(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (const r of centralRecords(out)) out.writeUInt32LE(size, r.offset + 24);
  for (let i = 0; i + 30 <= out.length; i += 1) {
    if (out.readUInt32LE(i) === 0x04034b50 && out.readUInt32LE(i + 22) > size) out.writeUInt32LE(size, i + 22);
  }
  return out;
}

async function failure(work: Promise<unknown>): Promise<ImportLimitError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ImportLimitError)) throw new Error(`expected an ImportLimitError, got ${String(err)}`);
  return err;
}

describe('XLSX archive limits', () => {
  let dir: string;
  let bomb: string;
  let bombBytes: number;
  let small: string;
  const limits = (l: Partial<ImportLimits>): ImportLimits => ({ ...DEFAULT_IMPORT_LIMITS, ...l });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'archive-limits-'));
    // About 40,000 rows of one repeated cell: the sheet's XML inflates past 4 MB from a far smaller file.
    const b = await workbook(40_000);
    bombBytes = b.length;
    bomb = join(dir, 'bomb.xlsx');
    await writeFile(bomb, b);
    small = join(dir, 'small.xlsx');
    await writeFile(small, await workbook(3));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lets an ordinary workbook through under the defaults, and its rows are read', async () => {
    await checkArchive(small, 1, DEFAULT_IMPORT_LIMITS);
    const rows = [];
    for await (const r of readRows(small, 'xlsx')) rows.push(r);
    expect(rows).toHaveLength(4);
  });

  it('refuses, from the central directory alone, a sheet declared to inflate past the per-entry limit', async () => {
    const err = await failure(checkCentralDirectory(bomb, limits({ maxEntryBytes: 1 * MB })));
    expect(err.rule).toBe('ARCHIVE_TOO_LARGE');
    expect(err.message).toBe("the file's sheet xl/worksheets/sheet1.xml inflates to more than 1 MB (rule ARCHIVE_TOO_LARGE)");
    expect(importFailureRule(err.message)).toBe('ARCHIVE_TOO_LARGE');
  });

  it('refuses an archive whose entries together are declared past the total limit', async () => {
    const err = await failure(checkCentralDirectory(bomb, limits({ maxArchiveBytes: 2 * MB })));
    expect(err.message).toBe("the file's entries inflate to more than 2 MB in all (rule ARCHIVE_TOO_LARGE)");
  });

  it('refuses an entry compressed past the ratio limit once it is past the floor', async () => {
    const err = await failure(checkCentralDirectory(bomb, limits({ maxCompressionRatio: 5 })));
    expect(err.rule).toBe('ARCHIVE_RATIO');
    expect(err.message).toBe("the file's sheet xl/worksheets/sheet1.xml is compressed more than 5:1 (rule ARCHIVE_RATIO)");
    // The same file under a floor above its size passes: small XML compresses very well and is not held to the ratio.
    await checkCentralDirectory(bomb, limits({ maxCompressionRatio: 5, ratioFloorBytes: 100 * MB }));
  });

  it('refuses too many entries, before reading the central directory and while inflating', async () => {
    const many = join(dir, 'many.xlsx');
    await writeFile(many, await workbook(1, 20));
    expect((await failure(checkCentralDirectory(many, limits({ maxEntries: 10 })))).rule).toBe('ARCHIVE_ENTRIES');
    expect((await failure(checkInflatedSizes(many, 1, limits({ maxEntries: 10 })))).message).toBe(
      'the file holds more than 10 entries in its archive (rule ARCHIVE_ENTRIES)',
    );
  });

  it('counts the bytes actually inflated when the declared sizes lie, and stops at the limit', async () => {
    const liar = join(dir, 'liar.xlsx');
    const lying = lyingSizes(await workbook(40_000), 1000);
    await writeFile(liar, lying);
    const strict = limits({ maxEntryBytes: 1 * MB });
    // The declared sizes are all small: the central directory passes…
    await checkCentralDirectory(liar, strict);
    // …but inflating the sheet passes 1 MB, and the pass stops there.
    const err = await failure(checkInflatedSizes(liar, lying.length, strict));
    expect(err.message).toBe("the file's sheet xl/worksheets/sheet1.xml inflates to more than 1 MB (rule ARCHIVE_TOO_LARGE)");
    // Through the row source, as the importer reads: no row comes out.
    const rows: unknown[] = [];
    const read = (async () => {
      for await (const r of readRows(liar, 'xlsx', undefined, strict)) rows.push(r);
    })();
    expect((await failure(read)).rule).toBe('ARCHIVE_TOO_LARGE');
    expect(rows).toEqual([]);
  });

  it("holds the whole file's inflated bytes to the ratio while inflating", async () => {
    const err = await failure(checkInflatedSizes(bomb, bombBytes, limits({ maxCompressionRatio: 5 })));
    expect(err.message).toBe('the file inflates to more than 5 times its size (rule ARCHIVE_RATIO)');
  });

  it('answers a damaged archive as unreadable (rule ARCHIVE_UNREADABLE), not as an internal error', async () => {
    const damaged = join(dir, 'damaged.xlsx');
    const b = await workbook(3);
    await writeFile(damaged, b.subarray(0, Math.floor(b.length / 2)));
    expect((await failure(checkArchive(damaged, b.length / 2, DEFAULT_IMPORT_LIMITS))).rule).toBe('ARCHIVE_UNREADABLE');
  });
});

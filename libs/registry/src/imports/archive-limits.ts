import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { ImportLimitError, ImportLimits, sizeText } from './import-limits';

/** What this module uses of unzipper's central-directory reader and streaming parser. */
interface CentralDirectoryEntry {
  path: string;
  type: 'File' | 'Directory';
  compressedSize: number;
  uncompressedSize: number;
}
interface StreamedEntry extends Readable {
  path: string;
  autodrain(): unknown;
}
interface Unzipper {
  Open: { file(path: string): Promise<{ files: CentralDirectoryEntry[] }> };
  Parse(options: { forceStream: true }): NodeJS.ReadWriteStream & AsyncIterable<StreamedEntry> & { destroy?(err?: Error): void };
}

/**
 * The unzipper ExcelJS itself reads XLSX files with (its own dependency, resolved from it): the
 * inflating pass below sees the entries exactly as ExcelJS's streaming reader will.
 */
const unzipper = createRequire(require.resolve('exceljs'))('unzipper') as Unzipper;

/** An entry's name as a message may quote it: an XLSX part name, else nothing of it (the name is the sender's text). */
function entryName(path: string): string {
  return /^[A-Za-z0-9_./[\]-]{1,120}$/.test(path) ? `entry ${path}` : 'an entry';
}
function sheetName(path: string): string {
  return /^xl\/worksheets\/sheet\d+\.xml$/.test(path) ? `sheet ${path}` : entryName(path);
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;

/**
 * The number of entries the archive's end-of-central-directory record declares (ZIP64 too), read
 * from the file's tail only: checked before unzipper parses the central directory, which it would
 * do for any count the record states.
 */
async function declaredEntryCount(path: string): Promise<number> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const tailLength = Math.min(size, 22 + 65_535 + 20);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    for (let i = tailLength - 22; i >= 0; i -= 1) {
      if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
      const count = tail.readUInt16LE(i + 10);
      if (count !== 0xffff || i < 20 || tail.readUInt32LE(i - 20) !== ZIP64_LOCATOR_SIGNATURE) return count;
      const recordOffset = Number(tail.readBigUInt64LE(i - 20 + 8));
      const record = Buffer.alloc(56);
      const { bytesRead } = await file.read(record, 0, 56, recordOffset);
      if (bytesRead < 56 || record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw unreadable();
      return Number(record.readBigUInt64LE(32));
    }
    throw unreadable();
  } finally {
    await file.close();
  }
}

function unreadable(): ImportLimitError {
  return new ImportLimitError('ARCHIVE_UNREADABLE', 'the file is not a readable XLSX workbook: its ZIP archive is damaged');
}

function tooManyEntries(limits: ImportLimits): ImportLimitError {
  return new ImportLimitError('ARCHIVE_ENTRIES', `the file holds more than ${limits.maxEntries} entries in its archive`);
}
function entryTooLarge(path: string, limits: ImportLimits): ImportLimitError {
  return new ImportLimitError('ARCHIVE_TOO_LARGE', `the file's ${sheetName(path)} inflates to more than ${sizeText(limits.maxEntryBytes)}`);
}
function archiveTooLarge(limits: ImportLimits): ImportLimitError {
  return new ImportLimitError('ARCHIVE_TOO_LARGE', `the file's entries inflate to more than ${sizeText(limits.maxArchiveBytes)} in all`);
}

/**
 * Before unpacking: the archive's central directory (the sizes the file declares, read without
 * inflating anything). Refuses too many entries, an entry or a total declared to inflate past the
 * limits, and an entry compressed more than `maxCompressionRatio`:1 once past `ratioFloorBytes`.
 */
export async function checkCentralDirectory(path: string, limits: ImportLimits): Promise<void> {
  if ((await declaredEntryCount(path)) > limits.maxEntries) throw tooManyEntries(limits);
  let files: CentralDirectoryEntry[];
  try {
    ({ files } = await unzipper.Open.file(path));
  } catch {
    throw unreadable();
  }
  if (files.length > limits.maxEntries) throw tooManyEntries(limits);
  let total = 0;
  for (const f of files) {
    if (f.uncompressedSize > limits.maxEntryBytes) throw entryTooLarge(f.path, limits);
    total += f.uncompressedSize;
    if (total > limits.maxArchiveBytes) throw archiveTooLarge(limits);
    if (f.uncompressedSize > limits.ratioFloorBytes && f.uncompressedSize > limits.maxCompressionRatio * Math.max(f.compressedSize, 1)) {
      throw new ImportLimitError('ARCHIVE_RATIO', `the file's ${sheetName(f.path)} is compressed more than ${limits.maxCompressionRatio}:1`);
    }
  }
}

/**
 * While inflating: the sizes a ZIP declares can lie (and ExcelJS's streaming reader goes by the
 * local headers, not the central directory), so every entry is inflated once through the same
 * parser ExcelJS uses, its bytes counted and thrown away, and the pass stops as soon as an entry,
 * the total or the whole file's ratio (inflated : file bytes) passes its limit. Nothing is written
 * to disk or kept in memory; the cost is bounded by the limits (at most `maxArchiveBytes` inflated).
 */
export async function checkInflatedSizes(path: string, fileBytes: number, limits: ImportLimits): Promise<void> {
  const input = createReadStream(path);
  const zip = unzipper.Parse({ forceStream: true });
  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
  };
  input.on('error', fail);
  zip.on('error', fail);
  input.pipe(zip);
  let entries = 0;
  let total = 0;
  try {
    for await (const entry of zip) {
      entries += 1;
      if (entries > limits.maxEntries) throw tooManyEntries(limits);
      let bytes = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        total += chunk.length;
        if (bytes > limits.maxEntryBytes) throw entryTooLarge(entry.path, limits);
        if (total > limits.maxArchiveBytes) throw archiveTooLarge(limits);
        if (total > limits.ratioFloorBytes && total > limits.maxCompressionRatio * fileBytes) {
          throw new ImportLimitError('ARCHIVE_RATIO', `the file inflates to more than ${limits.maxCompressionRatio} times its size`);
        }
      }
    }
  } catch (err) {
    if (err instanceof ImportLimitError) throw err;
    fail(err);
  } finally {
    input.unpipe(zip);
    input.destroy();
    zip.destroy?.();
  }
  if (failure !== undefined) throw unreadable();
}

/** Both checks, central directory first (no inflating), for an XLSX file before ExcelJS reads it. */
export async function checkArchive(path: string, fileBytes: number, limits: ImportLimits): Promise<void> {
  await checkCentralDirectory(path, limits);
  await checkInflatedSizes(path, fileBytes, limits);
}

import type { PreparedRecord } from '../model/person.model';
import type { PersonPreparer } from '../model/person.preparer';
import { childRecordReader } from '../parsing/csv-header.mapper';
import { csvRows } from './csv-rows.reader';

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
      const result = reader.read(row, rowNumber);
      if (!result.ok) {
        records.push(undefined);
        refs.push(`row-${rowNumber}`);
        unreadable.set(i, `row ${rowNumber}, column ${result.column ?? '?'}: ${result.reason}`);
        continue;
      }
      const prepared = preparer.prepareRecord(result.value);
      records.push(prepared);
      refs.push(prepared.recordRef);
      if (records.length % 10_000 === 0) onProgress(records.length);
    }
  }
  return { records, refs, unreadable };
}

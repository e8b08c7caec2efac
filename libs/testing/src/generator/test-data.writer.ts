import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify } from 'csv-stringify';
import type { ChildRecordRow, ResidentRow } from './synthetic-population.generator';

export const RESIDENT_COLUMNS: readonly (keyof ResidentRow)[] = [
  'personal_id',
  'full_name',
  'sex',
  'date_of_birth',
  'birth_registration_province_code',
  'residence_commune_code',
  'father_full_name',
  'mother_full_name',
  'father_personal_id',
  'mother_personal_id',
];

export const RECORD_COLUMNS: readonly (keyof ChildRecordRow)[] = [
  'record_ref',
  'full_name',
  'date_of_birth',
  'sex',
  'personal_id',
  'father_full_name',
  'mother_full_name',
  'commune',
  'district',
  'province',
  'special_circumstances',
  'notes',
];

/** The Vietnamese headers of formats.md, as an officer's spreadsheet may have them. */
export const VIETNAMESE_RECORD_HEADERS: Record<keyof ChildRecordRow, string> = {
  record_ref: 'Mã hồ sơ',
  full_name: 'Họ và tên',
  date_of_birth: 'Ngày sinh',
  sex: 'Giới tính',
  personal_id: 'Số định danh cá nhân',
  father_full_name: 'Họ tên cha',
  mother_full_name: 'Họ tên mẹ',
  commune: 'Xã/Phường',
  district: 'Quận/Huyện',
  province: 'Tỉnh/Thành phố',
  special_circumstances: 'Hoàn cảnh đặc biệt',
  notes: 'Ghi chú',
};

async function writeCsv<T extends object>(path: string, header: readonly string[], keys: readonly (keyof T)[], rows: Iterable<T>, bom = false): Promise<void> {
  const out = createWriteStream(path);
  if (bom) out.write('\ufeff');
  const csv = stringify({ header: true, columns: keys.map((k, i) => ({ key: String(k), header: header[i] ?? String(k) })) });
  csv.pipe(out);
  for (const row of rows) if (!csv.write(row)) await once(csv, 'drain');
  csv.end();
  await once(out, 'finish');
}

/** Writes a residents file in the format of formats.md. Rows may be a generator, for large files. */
export function writeResidentsCsv(path: string, residents: Iterable<ResidentRow>): Promise<void> {
  return writeCsv(path, RESIDENT_COLUMNS as string[], RESIDENT_COLUMNS, residents);
}

/** Writes a child-records file; with `vietnameseHeaders`, as a Vietnamese spreadsheet export (with a BOM). */
export function writeRecordsCsv(path: string, records: Iterable<ChildRecordRow>, options: { vietnameseHeaders?: boolean } = {}): Promise<void> {
  const header = options.vietnameseHeaders ? RECORD_COLUMNS.map((c) => VIETNAMESE_RECORD_HEADERS[c]) : (RECORD_COLUMNS as string[]);
  return writeCsv(path, header, RECORD_COLUMNS, records, options.vietnameseHeaders);
}

/** Writes the ground truth: record_ref, personal_id ('' when the child has no national record). */
export function writeTruthCsv(path: string, truth: ReadonlyMap<string, string>): Promise<void> {
  const rows = [...truth].map(([record_ref, personal_id]) => ({ record_ref, personal_id }));
  return writeCsv(path, ['record_ref', 'personal_id'], ['record_ref', 'personal_id'], rows);
}

import type { Writable } from 'node:stream';
import * as ExcelJS from 'exceljs';
import { ChildRecordParser } from './child-records/child-record.parser';
import { ruleTextVi } from './import-rules';
import type { ImportLimits } from './import-limits';
import { detectFormat, readRows } from './row-source';

const COLUMN_VI: Readonly<Record<string, string>> = {
  record_ref: 'Mã hồ sơ',
  full_name: 'Họ và tên',
  date_of_birth: 'Ngày sinh',
  sex: 'Giới tính',
  personal_id: 'Số định danh cá nhân',
  commune: 'Xã/Phường',
  district: 'Quận/Huyện',
  province: 'Tỉnh/Thành phố',
  special_circumstances: 'Hoàn cảnh đặc biệt',
  mother_full_name: 'Họ tên mẹ',
  father_full_name: 'Họ tên cha',
  notes: 'Ghi chú',
};

/** The "Lý do" text of one problem: the rule in Vietnamese, with the column it concerns (never a cell's value). */
export function lyDo(code: string, column: string | null): string {
  const rule = ruleTextVi(code);
  const where = column ? (COLUMN_VI[column] ?? column) : undefined;
  return where ? `${where}: ${rule}` : rule;
}

/** The rejected rows of an import (from the ledger): row number → the problems' Vietnamese reasons. */
export function rejectedReasons(problems: readonly { row: number; column: string | null; code: string }[]): Map<number, string[]> {
  const reasons = new Map<number, string[]>();
  for (const p of problems) reasons.set(p.row, [...(reasons.get(p.row) ?? []), lyDo(p.code, p.column)]);
  return reasons;
}

/**
 * The rejected rows of an import as an XLSX workbook, written to `out`: the file's header row, then
 * each rejected row with its original cells and a last column "Lý do" saying why, in Vietnamese
 * (an unknown column to the importer: the fixed file can be uploaded again as it is).
 * Built from the file the officer uploads again (the platform does not keep uploads: they hold
 * personal data); the caller checks it is the import's file (same SHA-256). Returns the rows written.
 */
export async function writeRejectedRows(path: string, reasons: ReadonlyMap<number, string[]>, out: Writable, limits?: Partial<ImportLimits>): Promise<number> {
  const format = await detectFormat(path);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const sheet = workbook.addWorksheet('Dòng bị từ chối');
  let header: unknown[] | undefined;
  let written = 0;
  for await (const row of readRows(path, format, undefined, limits)) {
    if (!header) {
      if (row.error !== undefined || ChildRecordParser.isBlank(row.cells)) continue;
      header = row.cells;
      const h = sheet.addRow([...header, 'Lý do']);
      h.font = { bold: true };
      h.commit();
      continue;
    }
    const why = reasons.get(row.rowNumber);
    if (!why) continue;
    const cells = row.cells.slice(0, header.length);
    while (cells.length < header.length) cells.push('');
    sheet.addRow([...cells, why.join('; ')]).commit();
    written += 1;
  }
  sheet.commit();
  await workbook.commit();
  return written;
}

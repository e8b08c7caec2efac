import type { Writable } from 'node:stream';
import * as ExcelJS from 'exceljs';
import { ChildRecordParser } from './child-records/child-record.parser';
import type { ImportLimits } from './import-limits';
import { detectFormat, readRows } from './row-source';

/** Vietnamese text of each rule a row can break, for the "Lý do" column (the officer fixes the row and uploads it again). */
const LY_DO: Readonly<Record<string, string>> = {
  UNREADABLE_ROW: 'Không đọc được dòng này',
  TOO_LONG: 'Ô dài quá mức cho phép',
  NAME_REQUIRED: 'Thiếu họ và tên',
  NAME_TOO_LONG: 'Họ tên dài quá mức cho phép',
  INVALID_CHARACTERS: 'Tên phải bắt đầu bằng chữ cái, không có ký tự điều khiển hay ký tự bị cắt dở',
  INVALID_DATE: 'Ngày không hợp lệ (dd/mm/yyyy, yyyy-mm-dd, mm/yyyy hoặc yyyy)',
  INVALID_SEX: 'Giới tính phải là Nam hoặc Nữ',
  UNKNOWN_COMMUNE: 'Không phải xã, phường đang có hiệu lực (tên hoặc mã)',
  AMBIGUOUS_COMMUNE: 'Tên xã, phường trùng với nhiều đơn vị: ghi mã hoặc tỉnh, thành phố',
  UNKNOWN_PROVINCE: 'Không phải tên hoặc mã tỉnh, thành phố',
  INVALID_GROUP: 'Không phải nhóm hoàn cảnh đặc biệt của mẫu',
  DUPLICATE_RECORD_REF: 'Mã hồ sơ trùng với một dòng phía trên',
  DUPLICATE_ROW: 'Trùng với một trẻ em ở dòng phía trên',
  OUTSIDE_JURISDICTION: 'Xã, phường ngoài địa bàn của bạn',
  ROLE: 'Vai trò của bạn không được đăng ký trẻ em',
  INVALID_INPUT: 'Thiếu hoặc sai một giá trị bắt buộc',
  DATE_IN_FUTURE: 'Ngày ở tương lai',
  DATE_BEFORE_BIRTH: 'Ngày trước ngày sinh',
  DATE_OUT_OF_ORDER: 'Các ngày không đúng thứ tự',
  CHILD_TOO_OLD: 'Đã đủ 16 tuổi: không phải trẻ em (Luật Trẻ em 2016, Điều 1)',
  INVALID_PERSONAL_ID: 'Số định danh cá nhân không hợp lệ với trẻ này',
  CHILD_ALREADY_REGISTERED: 'Trẻ em đã được đăng ký',
  CIRCUMSTANCE_ALREADY_ACTIVE: 'Hoàn cảnh đặc biệt được ghi hai lần',
};

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
  const rule = LY_DO[code] ?? `Vi phạm quy tắc ${code}`;
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

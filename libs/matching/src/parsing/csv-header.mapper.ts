import { foldVietnamese } from '../normalisation/vietnamese-text.normaliser';
import type { ChildRecordInput, ResidentInput, Sex } from '../model/person.model';
import { normalisePersonalId } from '../normalisation/personal-id.rules';
import { parseSex, parseStatedDate } from './stated-value.parser';

/** Header comparison key: trimmed, case-folded, without diacritics, letters and digits only. */
export function headerKey(header: string): string {
  return foldVietnamese(header.replace(/^\ufeff/, '')).replace(/[^a-z0-9]/g, '');
}

/**
 * The child-records format's columns (formats.md) with the headers accepted for each: the English
 * name first, then the Vietnamese ones. Shared with the registry's import, which reads the same files.
 */
export const CHILD_RECORD_HEADERS = {
  record_ref: ['record_ref', 'Mã hồ sơ', 'STT'],
  full_name: ['full_name', 'Họ và tên', 'Họ tên'],
  date_of_birth: ['date_of_birth', 'Ngày sinh', 'Ngày tháng năm sinh'],
  sex: ['sex', 'Giới tính'],
  personal_id: ['personal_id', 'Số định danh cá nhân', 'Số định danh', 'CCCD'],
  father_full_name: ['father_full_name', 'Họ tên cha', 'Họ và tên cha'],
  mother_full_name: ['mother_full_name', 'Họ tên mẹ', 'Họ và tên mẹ'],
  commune: ['commune', 'Xã/Phường', 'Xã, phường, thị trấn'],
  district: ['district', 'Quận/Huyện'],
  province: ['province', 'Tỉnh/Thành phố', 'Tỉnh'],
  special_circumstances: ['special_circumstances', 'Hoàn cảnh đặc biệt'],
  notes: ['notes', 'Ghi chú'],
} as const satisfies Record<string, readonly string[]>;

type RecordColumn = keyof ChildRecordInput | 'specialCircumstances' | 'notes';

const H = CHILD_RECORD_HEADERS;
const RECORD_ALIASES: Record<RecordColumn, readonly string[]> = {
  recordRef: H.record_ref,
  fullName: H.full_name,
  dateOfBirth: H.date_of_birth,
  sex: H.sex,
  personalId: H.personal_id,
  fatherFullName: H.father_full_name,
  motherFullName: H.mother_full_name,
  commune: H.commune,
  district: H.district,
  province: H.province,
  specialCircumstances: H.special_circumstances,
  notes: H.notes,
};

const RESIDENT_COLUMNS = [
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
] as const;

function indexColumns<K extends string>(header: readonly string[], aliases: Record<K, readonly string[]>): Partial<Record<K, number>> {
  const keys = header.map(headerKey);
  const out: Partial<Record<K, number>> = {};
  for (const [column, names] of Object.entries(aliases) as [K, readonly string[]][]) {
    const i = keys.findIndex((k) => names.some((n) => headerKey(n) === k));
    if (i >= 0) out[column] = i;
  }
  return out;
}

export type RowResult<T> = { ok: true; value: T } | { ok: false; reason: string; column?: string };

/** Turns a child-records CSV header into a row reader (formats.md, "Child records"). */
export function childRecordReader(header: readonly string[]): {
  read(row: readonly string[], rowNumber: number): RowResult<ChildRecordInput>;
  missing: string[];
} {
  const col = indexColumns(header, RECORD_ALIASES);
  const missing = (['fullName'] as const).filter((c) => col[c] === undefined).map((c) => RECORD_ALIASES[c][0] as string);
  const cell = (row: readonly string[], c: RecordColumn) => {
    const i = col[c];
    const v = i === undefined ? undefined : row[i]?.trim();
    return v ? v : undefined;
  };
  return {
    missing,
    read(row, rowNumber) {
      const recordRef = cell(row, 'recordRef') ?? `row-${rowNumber}`;
      const fullName = cell(row, 'fullName');
      if (!fullName) return { ok: false, reason: 'full name is empty', column: 'full_name' };
      const rawDate = cell(row, 'dateOfBirth');
      const dateOfBirth = rawDate ? parseStatedDate(rawDate) : undefined;
      const rawSex = cell(row, 'sex');
      const sex: Sex | undefined = parseSex(rawSex);
      return {
        ok: true,
        value: {
          recordRef,
          fullName,
          dateOfBirth,
          sex,
          personalId: cell(row, 'personalId'),
          fatherFullName: cell(row, 'fatherFullName'),
          motherFullName: cell(row, 'motherFullName'),
          commune: cell(row, 'commune'),
          district: cell(row, 'district'),
          province: cell(row, 'province'),
        },
      };
    },
  };
}

/** Turns a residents CSV header into a row reader (formats.md, "Residents"). */
export function residentReader(header: readonly string[]): { read(row: readonly string[]): ResidentInput | undefined; missing: string[] } {
  const aliases = Object.fromEntries(RESIDENT_COLUMNS.map((c) => [c, [c]])) as Record<(typeof RESIDENT_COLUMNS)[number], string[]>;
  const col = indexColumns(header, aliases);
  const missing = (['personal_id', 'full_name'] as const).filter((c) => col[c] === undefined);
  const cell = (row: readonly string[], c: (typeof RESIDENT_COLUMNS)[number]) => {
    const i = col[c];
    const v = i === undefined ? undefined : row[i]?.trim();
    return v ? v : undefined;
  };
  return {
    missing,
    read(row) {
      const personalId = normalisePersonalId(cell(row, 'personal_id'));
      const fullName = cell(row, 'full_name');
      if (!personalId || !fullName) return undefined;
      return {
        personalId,
        fullName,
        sex: parseSex(cell(row, 'sex')),
        dateOfBirth: cell(row, 'date_of_birth'),
        birthRegistrationProvinceCode: cell(row, 'birth_registration_province_code'),
        residenceCommuneCode: cell(row, 'residence_commune_code'),
        fatherFullName: cell(row, 'father_full_name'),
        motherFullName: cell(row, 'mother_full_name'),
        fatherPersonalId: cell(row, 'father_personal_id'),
        motherPersonalId: cell(row, 'mother_personal_id'),
      };
    },
  };
}

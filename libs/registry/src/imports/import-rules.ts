/**
 * The fixed text of each rule an import row can break, in English (the API's `reason`) and in
 * Vietnamese (the report's `lyDo` and the rejected rows' "Lý do" column): a report keeps the row's
 * number and the rule (column, code, these texts), never a value from the row. Messages that quote a
 * cell (the parser's, the domain's) are not stored.
 */
const RULES: Readonly<Record<string, { en: string; vi: string }>> = {
  UNREADABLE_ROW: { en: 'the row cannot be read', vi: 'Không đọc được dòng này' },
  TOO_LONG: { en: 'the cell is longer than the format allows', vi: 'Ô dài quá mức cho phép' },
  NAME_REQUIRED: { en: 'a name is required', vi: 'Thiếu họ và tên' },
  NAME_TOO_LONG: { en: 'the name is longer than the format allows', vi: 'Họ tên dài quá mức cho phép' },
  INVALID_CHARACTERS: {
    en: 'a name begins with a letter and holds no control character or half character',
    vi: 'Tên phải bắt đầu bằng chữ cái, không có ký tự điều khiển hay ký tự bị cắt dở',
  },
  INVALID_DATE: { en: 'not a date (dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy, mm/yyyy or yyyy)', vi: 'Ngày không hợp lệ (dd/mm/yyyy, yyyy-mm-dd, mm/yyyy hoặc yyyy)' },
  INVALID_SEX: { en: 'the sex must be Nam/Nữ, M/F or male/female', vi: 'Giới tính phải là Nam hoặc Nữ' },
  UNKNOWN_COMMUNE: { en: 'not a commune in force (name or code)', vi: 'Không phải xã, phường đang có hiệu lực (tên hoặc mã)' },
  AMBIGUOUS_COMMUNE: {
    en: 'the commune name matches several communes: give the code or the province',
    vi: 'Tên xã, phường trùng với nhiều đơn vị: ghi mã hoặc tỉnh, thành phố',
  },
  UNKNOWN_PROVINCE: { en: 'not a province name or code', vi: 'Không phải tên hoặc mã tỉnh, thành phố' },
  INVALID_GROUP: { en: 'not a special-circumstance group of the format', vi: 'Không phải nhóm hoàn cảnh đặc biệt của mẫu' },
  DUPLICATE_RECORD_REF: { en: 'the record_ref is on an earlier row of the file', vi: 'Mã hồ sơ trùng với một dòng phía trên' },
  DUPLICATE_ROW: { en: 'the same child as an earlier row of the file', vi: 'Trùng với một trẻ em ở dòng phía trên' },
  OUTSIDE_JURISDICTION: { en: 'the commune is outside your jurisdiction', vi: 'Xã, phường ngoài địa bàn của bạn' },
  ROLE: { en: 'your role may not register children', vi: 'Vai trò của bạn không được đăng ký trẻ em' },
  LEADING_ZERO_RESTORED: { en: 'the personal ID had 11 digits; its leading 0 was restored', vi: 'Số định danh có 11 chữ số; đã thêm số 0 ở đầu' },
  'INVALID_PERSONAL_ID.LENGTH_OR_DIGITS': {
    en: 'registered without the personal ID (incomplete; the number is kept aside for reconciliation): a personal ID is exactly 12 digits',
    vi: 'Đã đăng ký nhưng chưa ghi số định danh (hồ sơ chưa đủ; số được giữ riêng để đối soát): số định danh cá nhân gồm đúng 12 chữ số',
  },
  'INVALID_PERSONAL_ID.UNKNOWN_PROVINCE_CODE': {
    en: 'registered without the personal ID (incomplete; the number is kept aside for reconciliation): its first three digits are not a province code',
    vi: 'Đã đăng ký nhưng chưa ghi số định danh (hồ sơ chưa đủ; số được giữ riêng để đối soát): ba chữ số đầu không phải mã tỉnh',
  },
  'INVALID_PERSONAL_ID.CENTURY_SEX_MISMATCH': {
    en: 'registered without the personal ID (incomplete; the number is kept aside for reconciliation): its century-and-sex digit contradicts the date of birth or the sex',
    vi: 'Đã đăng ký nhưng chưa ghi số định danh (hồ sơ chưa đủ; số được giữ riêng để đối soát): chữ số thế kỷ và giới tính không khớp với ngày sinh hoặc giới tính',
  },
  'INVALID_PERSONAL_ID.BIRTH_YEAR_MISMATCH': {
    en: 'registered without the personal ID (incomplete; the number is kept aside for reconciliation): its birth-year digits contradict the date of birth',
    vi: 'Đã đăng ký nhưng chưa ghi số định danh (hồ sơ chưa đủ; số được giữ riêng để đối soát): hai chữ số năm sinh không khớp với ngày sinh',
  },
  INCOMPLETE_SEX: {
    en: 'registered without a sex (the cell is empty): the record is incomplete, correct it later',
    vi: 'Đã đăng ký nhưng chưa có giới tính (ô trống): hồ sơ chưa đủ, bổ sung sau',
  },
  INVALID_INPUT: { en: 'a required value is missing or malformed', vi: 'Thiếu hoặc sai một giá trị bắt buộc' },
  DATE_IN_FUTURE: { en: 'the date is in the future', vi: 'Ngày ở tương lai' },
  DATE_BEFORE_BIRTH: { en: 'the date is before the date of birth', vi: 'Ngày trước ngày sinh' },
  DATE_OUT_OF_ORDER: { en: 'the dates are out of order', vi: 'Các ngày không đúng thứ tự' },
  CHILD_TOO_OLD: { en: 'the child is 16 or older: the registry is for children under 16', vi: 'Đã đủ 16 tuổi: không phải trẻ em (Luật Trẻ em 2016, Điều 1)' },
  INVALID_PERSONAL_ID: { en: 'the personal ID is not valid for this child', vi: 'Số định danh cá nhân không hợp lệ với trẻ này' },
  CHILD_ALREADY_REGISTERED: { en: 'the child is already registered', vi: 'Trẻ em đã được đăng ký' },
  CIRCUMSTANCE_ALREADY_ACTIVE: { en: 'the special circumstance is listed twice', vi: 'Hoàn cảnh đặc biệt được ghi hai lần' },
};

/** Codes whose reasons the importer writes itself from row numbers only: kept as written. */
export const ROW_NUMBER_REASONS: ReadonlySet<string> = new Set(['DUPLICATE_RECORD_REF', 'DUPLICATE_ROW']);

/** The rule's fixed text for a problem code (never a cell's value). */
export function ruleText(code: string, column: string | null): string {
  return RULES[code]?.en ?? `the row breaks rule ${code}${column ? ` (column ${column})` : ''}`;
}

/** The rule in Vietnamese for a problem code. */
export function ruleTextVi(code: string): string {
  return RULES[code]?.vi ?? `Vi phạm quy tắc ${code}`;
}

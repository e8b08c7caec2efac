/** The day the 2025 reorganisation took effect (Resolution 202/2025/QH15): 34 provinces, no districts. */
export const REFORM_DATE = '2025-07-01';
/** Last day of the three-tier system. */
export const LAST_DAY_BEFORE_REFORM = '2025-06-30';
/**
 * Twelve old commune codes were abolished by changes effective 2025-03-01; they are kept (from the
 * mapping) so older records can still be read. They were valid until the day before.
 */
export const LAST_DAY_OF_STALE_CODES = '2025-02-28';

/** Districts exist only before the reform. */
export type AdministrativeLevel = 'province' | 'district' | 'commune';

/** Which published list a unit comes from. */
export type UnitEdition = 'before_2025_07_01' | 'from_2025_07_01';

/**
 * Unit types, from the `administrative_unit_id` of the source lists, named in Vietnamese terms.
 * `dac_khu` (special zone) exists only after the reform; `thi_tran` (township) only before.
 */
export type UnitType =
  | 'thanh_pho_tw' // centrally-run city
  | 'tinh' // province
  | 'thanh_pho' // provincial city (district level, before the reform)
  | 'quan' // urban district
  | 'thi_xa' // town
  | 'huyen' // rural district
  | 'phuong' // ward
  | 'xa' // commune
  | 'thi_tran' // township (before the reform)
  | 'dac_khu'; // special zone (after the reform)

export interface AdministrativeUnit {
  level: AdministrativeLevel;
  /** GSO/NSO statistical code as text: province 2 digits, commune 5 digits, leading zeros kept. */
  code: string;
  /** Name without the type prefix: `Ba Chẽ`. */
  name: string;
  /** Name with the type prefix: `Xã Ba Chẽ`. */
  fullName: string;
  nameEn: string;
  type: UnitType;
  /** The unit's own code for a province; the containing province otherwise. */
  provinceCode: string;
  /** Before the reform only: the district of a commune (a district's own code for a district). */
  districtCode?: string;
  edition: UnitEdition;
  /** First day of validity, ISO date; absent when the source does not say (the pre-reform list). */
  validFrom?: string;
  /** Last day of validity, ISO date; absent while still in force. */
  validTo?: string;
}

export interface UnitsInForce {
  date: string;
  provinces: readonly AdministrativeUnit[];
  /** Empty from the reform date on. */
  districts: readonly AdministrativeUnit[];
  communes: readonly AdministrativeUnit[];
}

export interface FindByNameOptions {
  level: AdministrativeLevel;
  /** Restrict communes to this province (a code valid on `date`, or either edition without a date). */
  provinceCode?: string;
  /** Only units in force on this date. Without it, both editions are searched, current units first. */
  date?: DateInput;
  /** At most this many candidates (default: all). */
  limit?: number;
}

/**
 * How well a name matched, best first:
 * - `exact`: same letters and diacritics (case, spacing, NFC/NFD and tone-mark placement aside);
 * - `folded`: same once diacritics are dropped (`Ba Che` for `Ba Chẽ`, or a different tone).
 */
export type NameMatchKind = 'exact' | 'folded';

export interface NameMatch {
  unit: AdministrativeUnit;
  match: NameMatchKind;
  /** Higher is better; candidates are returned sorted by it. */
  score: number;
}

/** An ISO date `YYYY-MM-DD`, or an instant read as a calendar day in Vietnam (UTC+7, no DST). */
export type DateInput = string | Date;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/** The calendar day (ISO) a date input stands for. */
export function toIsoDate(date: DateInput): string {
  if (typeof date === 'string') {
    if (ISO_DATE.test(date)) return date;
    const parsed = new Date(date);
    if (Number.isNaN(parsed.getTime())) throw new RangeError(`not a date: ${date}`);
    return toIsoDate(parsed);
  }
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid Date');
  return new Date(date.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

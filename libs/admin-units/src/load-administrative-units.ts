import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AdministrativeUnit, LAST_DAY_BEFORE_REFORM, LAST_DAY_OF_STALE_CODES, REFORM_DATE, UnitType } from './administrative-unit.model';
import { AdministrativeUnits, AdministrativeUnitsData } from './administrative-units';
import { parseCsv } from './csv';
import { foldVietnamese } from './fold-vietnamese';

/** Where the CSVs (and their licences) live in the repository. */
export const DEFAULT_ADMIN_UNITS_DATA_DIR = resolve(__dirname, '..', 'data');

type Row = Record<string, string>;

function readCsv(dir: string, file: string): Row[] {
  return parseCsv(readFileSync(join(dir, file), 'utf8'));
}

function field(row: Row, name: string, file: string): string {
  const value = row[name];
  if (value === undefined || value === '') throw new Error(`${file}: missing ${name} in row ${JSON.stringify(row)}`);
  return value;
}

// administrative_unit_id of each edition (see administrative_units.csv in the source data).
const BEFORE_TYPES: Record<string, UnitType> = {
  '1': 'thanh_pho_tw',
  '2': 'tinh',
  '3': 'thanh_pho',
  '4': 'thanh_pho',
  '5': 'quan',
  '6': 'thi_xa',
  '7': 'huyen',
  '8': 'phuong',
  '9': 'thi_tran',
  '10': 'xa',
};
const AFTER_TYPES: Record<string, UnitType> = { '1': 'thanh_pho_tw', '2': 'tinh', '3': 'phuong', '4': 'xa', '5': 'dac_khu' };

function unitType(types: Record<string, UnitType>, row: Row, file: string): UnitType {
  const id = field(row, 'administrative_unit_id', file);
  const type = types[id];
  if (!type) throw new Error(`${file}: unknown administrative_unit_id ${id}`);
  return type;
}

function staleType(fullName: string): { type: UnitType; name: string } {
  const folded = foldVietnamese(fullName);
  const words = fullName.trim().split(/\s+/);
  if (folded.startsWith('thi tran ')) return { type: 'thi_tran', name: words.slice(2).join(' ') };
  if (folded.startsWith('phuong ')) return { type: 'phuong', name: words.slice(1).join(' ') };
  return { type: 'xa', name: folded.startsWith('xa ') ? words.slice(1).join(' ') : fullName };
}

/** Reads the CSVs into plain data (no indexes). */
export function readAdministrativeUnitsData(dir: string = DEFAULT_ADMIN_UNITS_DATA_DIR): AdministrativeUnitsData {
  const before = {
    provinces: readCsv(dir, 'before_2025-07-01/provinces.csv').map((r): AdministrativeUnit => ({
      level: 'province',
      code: field(r, 'code', 'provinces'),
      name: field(r, 'name', 'provinces'),
      fullName: field(r, 'full_name', 'provinces'),
      nameEn: r['name_en'] ?? '',
      type: unitType(BEFORE_TYPES, r, 'before provinces'),
      provinceCode: field(r, 'code', 'provinces'),
      edition: 'before_2025_07_01',
      validTo: LAST_DAY_BEFORE_REFORM,
    })),
    districts: readCsv(dir, 'before_2025-07-01/districts.csv').map((r): AdministrativeUnit => ({
      level: 'district',
      code: field(r, 'code', 'districts'),
      name: field(r, 'name', 'districts'),
      fullName: field(r, 'full_name', 'districts'),
      nameEn: r['name_en'] ?? '',
      type: unitType(BEFORE_TYPES, r, 'before districts'),
      provinceCode: field(r, 'province_code', 'districts'),
      districtCode: field(r, 'code', 'districts'),
      edition: 'before_2025_07_01',
      validTo: LAST_DAY_BEFORE_REFORM,
    })),
    communes: readCsv(dir, 'before_2025-07-01/wards.csv').map((r): AdministrativeUnit => ({
      level: 'commune',
      code: field(r, 'code', 'wards'),
      name: field(r, 'name', 'wards'),
      fullName: field(r, 'full_name', 'wards'),
      nameEn: r['name_en'] ?? '',
      type: unitType(BEFORE_TYPES, r, 'before wards'),
      provinceCode: field(r, 'province_code', 'wards'),
      districtCode: field(r, 'district_code', 'wards'),
      edition: 'before_2025_07_01',
      validTo: LAST_DAY_BEFORE_REFORM,
    })),
  };
  const after = {
    districts: [],
    provinces: readCsv(dir, 'from_2025-07-01/provinces.csv').map((r): AdministrativeUnit => ({
      level: 'province',
      code: field(r, 'code', 'provinces'),
      name: field(r, 'name', 'provinces'),
      fullName: field(r, 'full_name', 'provinces'),
      nameEn: r['name_en'] ?? '',
      type: unitType(AFTER_TYPES, r, 'after provinces'),
      provinceCode: field(r, 'code', 'provinces'),
      edition: 'from_2025_07_01',
      validFrom: REFORM_DATE,
    })),
    communes: readCsv(dir, 'from_2025-07-01/wards.csv').map((r): AdministrativeUnit => ({
      level: 'commune',
      code: field(r, 'code', 'wards'),
      name: field(r, 'name', 'wards'),
      fullName: field(r, 'full_name', 'wards'),
      nameEn: r['name_en'] ?? '',
      type: unitType(AFTER_TYPES, r, 'after wards'),
      provinceCode: field(r, 'province_code', 'wards'),
      edition: 'from_2025_07_01',
      validFrom: REFORM_DATE,
    })),
  };

  const mappingRows = readCsv(dir, 'mapping_2025/ward_mapping_recommended.csv');
  const beforeCodes = new Set(before.communes.map((c) => c.code));
  const staleCommunes = new Map<string, AdministrativeUnit>();
  for (const r of mappingRows) {
    const oldCode = field(r, 'old_code', 'ward mapping');
    if (r['old_level'] !== 'ward' || beforeCodes.has(oldCode) || staleCommunes.has(oldCode)) continue;
    const fullName = field(r, 'old_name', 'ward mapping');
    const { type, name } = staleType(fullName);
    staleCommunes.set(oldCode, {
      level: 'commune',
      code: oldCode,
      name,
      fullName,
      nameEn: '',
      type,
      provinceCode: field(r, 'old_province_code', 'ward mapping'),
      districtCode: r['old_district_code'] || undefined,
      edition: 'before_2025_07_01',
      validTo: LAST_DAY_OF_STALE_CODES,
    });
  }

  return {
    before,
    after,
    staleCommunes: [...staleCommunes.values()],
    provinceMapping: readCsv(dir, 'mapping_2025/province_mapping.csv').map((r) => ({
      oldCode: field(r, 'old_province_code', 'province mapping'),
      newCode: field(r, 'new_province_code', 'province mapping'),
    })),
    communeMapping: mappingRows.map((r) => ({
      oldCode: field(r, 'old_code', 'ward mapping'),
      newCode: field(r, 'new_ward_code', 'ward mapping'),
    })),
  };
}

const cache = new Map<string, AdministrativeUnits>();

/**
 * The administrative units, loaded once per data directory and cached (tens of milliseconds the first time).
 * Synchronous so that a service can build it while wiring its modules.
 */
export function loadAdministrativeUnits(dir: string = DEFAULT_ADMIN_UNITS_DATA_DIR): AdministrativeUnits {
  const key = resolve(dir);
  let units = cache.get(key);
  if (!units) {
    units = new AdministrativeUnits(readAdministrativeUnitsData(key));
    cache.set(key, units);
  }
  return units;
}

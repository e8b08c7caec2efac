import { readReferenceCsv } from './reference-csv.reader';

export interface CommuneUnit {
  readonly code: string;
  readonly name: string;
  readonly fullName: string;
  readonly provinceCode: string;
  /** Old units only. */
  readonly districtName?: string;
}

export interface ProvinceUnit {
  readonly code: string;
  readonly name: string;
  readonly fullName: string;
}

function fold(s: string): string {
  return s
    .normalize('NFC')
    .replace(/[\u00d0\u0110]/g, 'D')
    .replace(/[\u00f0\u0111]/g, 'd')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9 ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const UNIT_PREFIXES = /^(thanh pho|tinh|phuong|xa|thi tran|thi xa|dac khu|quan|huyen) /;

/** Folded name without the unit type ("Xã", "Phường", "Tỉnh"…), for looking units up by name. */
export function unitNameKey(name: string): string {
  let key = fold(name);
  while (UNIT_PREFIXES.test(key)) key = key.replace(UNIT_PREFIXES, '');
  return key;
}

let cached: VietnamAdminUnits | undefined;

/**
 * The real unit lists before and from 2025-07-01 and the recommended old→new commune mapping, read
 * from this library's copy of the reference data. Implements the matching engine's AdminUnitLookup
 * (structurally, so that this library does not depend on the engine).
 */
export class VietnamAdminUnits {
  readonly oldProvinces: readonly ProvinceUnit[];
  readonly newProvinces: readonly ProvinceUnit[];
  readonly oldCommunes: readonly CommuneUnit[];
  readonly newCommunes: readonly CommuneUnit[];
  private readonly oldByCode: ReadonlyMap<string, CommuneUnit>;
  private readonly newByCode: ReadonlyMap<string, CommuneUnit>;
  private readonly oldToNew: ReadonlyMap<string, string[]>;
  private readonly newToOld: ReadonlyMap<string, string[]>;
  private readonly provinceOldToNew: ReadonlyMap<string, string>;
  private readonly communesByName = new Map<string, string[]>();
  private readonly provincesByName = new Map<string, string>();

  static load(): VietnamAdminUnits {
    cached ??= new VietnamAdminUnits();
    return cached;
  }

  private constructor() {
    const province = (r: Record<string, string>): ProvinceUnit => ({ code: r['code']!, name: r['name']!, fullName: r['full_name']! });
    this.oldProvinces = readReferenceCsv('vn-admin-units/before_2025-07-01/provinces.csv').map(province);
    this.newProvinces = readReferenceCsv('vn-admin-units/from_2025-07-01/provinces.csv').map(province);
    const districts = new Map<string, string>();
    const commune = (r: Record<string, string>): CommuneUnit => ({
      code: r['code']!,
      name: r['name']!,
      fullName: r['full_name']!,
      provinceCode: r['province_code']!,
      districtName: r['district_code'] ? districts.get(r['district_code']) : undefined,
    });
    this.oldCommunes = readReferenceCsv('vn-admin-units/before_2025-07-01/wards.csv').map(commune);
    this.newCommunes = readReferenceCsv('vn-admin-units/from_2025-07-01/wards.csv').map(commune);
    this.oldByCode = new Map(this.oldCommunes.map((c) => [c.code, c]));
    this.newByCode = new Map(this.newCommunes.map((c) => [c.code, c]));
    const oldToNew = new Map<string, string[]>();
    const newToOld = new Map<string, string[]>();
    const oldDistricts = new Map<string, string>();
    for (const row of readReferenceCsv('vn-admin-units/mapping_2025/ward_mapping_recommended.csv')) {
      const from = row['old_code']!;
      const to = row['new_ward_code']!;
      if (row['old_level'] !== 'ward') continue;
      (oldToNew.get(from) ?? oldToNew.set(from, []).get(from)!).push(to);
      (newToOld.get(to) ?? newToOld.set(to, []).get(to)!).push(from);
      if (row['old_district_name']) oldDistricts.set(from, row['old_district_name']);
    }
    this.oldToNew = oldToNew;
    this.newToOld = newToOld;
    this.oldCommunes = this.oldCommunes.map((c) => ({ ...c, districtName: oldDistricts.get(c.code) }));
    this.provinceOldToNew = new Map(
      readReferenceCsv('vn-admin-units/mapping_2025/province_mapping.csv').map((r) => [r['old_province_code']!, r['new_province_code']!]),
    );
    for (const c of [...this.oldCommunes, ...this.newCommunes]) {
      const key = unitNameKey(c.name);
      const list = this.communesByName.get(key) ?? [];
      if (!list.includes(c.code)) list.push(c.code);
      this.communesByName.set(key, list);
    }
    for (const p of [...this.oldProvinces, ...this.newProvinces]) this.provincesByName.set(unitNameKey(p.name), p.code);
  }

  /** Current commune codes for a code: the code itself if it is a current code, plus the targets of the old commune with that code. */
  currentCodesFor(code: string): string[] {
    const out = new Set<string>();
    if (this.newByCode.has(code)) out.add(code);
    for (const c of this.oldToNew.get(code) ?? []) out.add(c);
    return [...out];
  }

  provinceOfCommune(code: string): string | undefined {
    return this.newByCode.get(code)?.provinceCode ?? this.oldByCode.get(code)?.provinceCode;
  }

  currentProvinceFor(code: string): string | undefined {
    if (this.newProvinces.some((p) => p.code === code)) return code;
    return this.provinceOldToNew.get(code);
  }

  communeCodesByName(name: string, provinceCode?: string): string[] {
    const codes = this.communesByName.get(unitNameKey(name)) ?? [];
    if (!provinceCode) return codes;
    const target = this.currentProvinceFor(provinceCode) ?? provinceCode;
    const inProvince = codes.filter((c) => {
      const p = this.provinceOfCommune(c);
      return p !== undefined && (this.currentProvinceFor(p) === target || p === provinceCode);
    });
    return inProvince.length ? inProvince : codes;
  }

  provinceCodeByName(name: string): string | undefined {
    return this.provincesByName.get(unitNameKey(name));
  }

  oldCommune(code: string): CommuneUnit | undefined {
    return this.oldByCode.get(code);
  }

  newCommune(code: string): CommuneUnit | undefined {
    return this.newByCode.get(code);
  }

  /** Old communes that went (wholly or partly) into a current commune. */
  oldCodesOf(newCode: string): string[] {
    return this.newToOld.get(newCode) ?? [];
  }

  oldProvince(code: string): ProvinceUnit | undefined {
    return this.oldProvinces.find((p) => p.code === code);
  }

  newProvince(code: string): ProvinceUnit | undefined {
    return this.newProvinces.find((p) => p.code === code);
  }
}

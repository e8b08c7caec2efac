import {
  AdministrativeLevel,
  AdministrativeUnit,
  DateInput,
  FindByNameOptions,
  LAST_DAY_BEFORE_REFORM,
  NameMatch,
  REFORM_DATE,
  UnitType,
  UnitsInForce,
  toIsoDate,
} from './administrative-unit.model';
import { foldVietnamese, toneInsensitiveKey } from './fold-vietnamese';

/** What the loader hands over; the class only indexes it. */
export interface AdministrativeUnitsData {
  before: { provinces: AdministrativeUnit[]; districts: AdministrativeUnit[]; communes: AdministrativeUnit[] };
  after: { provinces: AdministrativeUnit[]; districts: AdministrativeUnit[]; communes: AdministrativeUnit[] };
  /** Old commune codes abolished before the reform (validTo set), kept for older records. */
  staleCommunes: AdministrativeUnit[];
  /** Old province code → new province code (every old province went wholly into one). */
  provinceMapping: ReadonlyArray<{ oldCode: string; newCode: string }>;
  /**
   * Old unit code → new commune code, one row per pair. Old units are communes (5 digits) and five
   * island districts that had no communes (3 digits: Bạch Long Vĩ 318, Cồn Cỏ 471, Hoàng Sa 498,
   * Lý Sơn 536, Côn Đảo 755), which became special zones (đặc khu).
   */
  communeMapping: ReadonlyArray<{ oldCode: string; newCode: string }>;
}

// Type prefixes a name may carry, by level (folded). Longest first so `thi tran` wins over `thi`.
const PREFIXES: Record<AdministrativeLevel, ReadonlyArray<[string, UnitType]>> = {
  province: [
    ['thanh pho', 'thanh_pho_tw'],
    ['tinh', 'tinh'],
    ['tp', 'thanh_pho_tw'],
  ],
  district: [
    ['thanh pho', 'thanh_pho'],
    ['thi xa', 'thi_xa'],
    ['quan', 'quan'],
    ['huyen', 'huyen'],
    ['tp', 'thanh_pho'],
  ],
  commune: [
    ['thi tran', 'thi_tran'],
    ['dac khu', 'dac_khu'],
    ['phuong', 'phuong'],
    ['xa', 'xa'],
    ['tt', 'thi_tran'],
  ],
};

function stripPrefix(folded: string, level: AdministrativeLevel): { rest: string; type: UnitType } | undefined {
  for (const [prefix, type] of PREFIXES[level]) {
    if (folded.startsWith(prefix + ' ') && folded.length > prefix.length + 1) {
      return { rest: folded.slice(prefix.length + 1), type };
    }
  }
  return undefined;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function isValidOn(unit: AdministrativeUnit, day: string): boolean {
  return (unit.validFrom === undefined || unit.validFrom <= day) && (unit.validTo === undefined || day <= unit.validTo);
}

/**
 * Vietnam's provinces and communes, versioned: the list in force until 2025-06-30 (63 provinces,
 * 696 districts, 10,035 communes), the list in force from 2025-07-01 (34 provinces, 3,321 communes),
 * and the mapping between them. Codes are reused across editions with different meanings
 * (`00004` was Phường Trúc Bạch, is now Phường Ba Đình), so every question about a code is asked
 * for a date, or says which edition it assumes.
 *
 * Build it with `loadAdministrativeUnits()`; the instance is immutable and safe to share.
 */
export class AdministrativeUnits {
  private readonly provincesBefore = new Map<string, AdministrativeUnit>();
  private readonly provincesAfter = new Map<string, AdministrativeUnit>();
  private readonly districtsBefore = new Map<string, AdministrativeUnit>();
  private readonly communesBefore = new Map<string, AdministrativeUnit>();
  private readonly communesStale = new Map<string, AdministrativeUnit>();
  private readonly communesAfter = new Map<string, AdministrativeUnit>();
  private readonly oldToNewCommune = new Map<string, string[]>();
  private readonly newToOldCommune = new Map<string, string[]>();
  private readonly oldToNewProvince = new Map<string, string>();
  private readonly allUnits: readonly AdministrativeUnit[];
  // Built on the first name search: most callers only validate codes.
  private byFoldedName: Record<AdministrativeLevel, Map<string, AdministrativeUnit[]>> | undefined;
  private readonly inForce: { before: UnitsInForce; beforeWithStale: UnitsInForce; after: UnitsInForce };

  constructor(data: AdministrativeUnitsData) {
    for (const p of data.before.provinces) this.provincesBefore.set(p.code, p);
    for (const p of data.after.provinces) this.provincesAfter.set(p.code, p);
    for (const d of data.before.districts) this.districtsBefore.set(d.code, d);
    for (const c of data.before.communes) this.communesBefore.set(c.code, c);
    for (const c of data.staleCommunes) this.communesStale.set(c.code, c);
    for (const c of data.after.communes) this.communesAfter.set(c.code, c);
    for (const { oldCode, newCode } of data.provinceMapping) this.oldToNewProvince.set(oldCode, newCode);
    for (const { oldCode, newCode } of data.communeMapping) {
      const targets = this.oldToNewCommune.get(oldCode) ?? [];
      if (!targets.includes(newCode)) targets.push(newCode);
      this.oldToNewCommune.set(oldCode, targets);
      const sources = this.newToOldCommune.get(newCode) ?? [];
      if (!sources.includes(oldCode)) sources.push(oldCode);
      this.newToOldCommune.set(newCode, sources);
    }
    this.allUnits = [
      ...data.after.provinces,
      ...data.before.provinces,
      ...data.before.districts,
      ...data.after.communes,
      ...data.before.communes,
      ...data.staleCommunes,
    ];
    const freeze = (date: string, edition: AdministrativeUnitsData['before'], communes: AdministrativeUnit[]): UnitsInForce =>
      Object.freeze({
        date,
        provinces: Object.freeze([...edition.provinces]),
        districts: Object.freeze([...edition.districts]),
        communes: Object.freeze([...communes]),
      });
    this.inForce = {
      before: freeze(LAST_DAY_BEFORE_REFORM, data.before, data.before.communes),
      beforeWithStale: freeze('', data.before, [...data.before.communes, ...data.staleCommunes]),
      after: freeze(REFORM_DATE, data.after, data.after.communes),
    };
  }

  private nameIndex(): Record<AdministrativeLevel, Map<string, AdministrativeUnit[]>> {
    if (!this.byFoldedName) {
      const index: Record<AdministrativeLevel, Map<string, AdministrativeUnit[]>> = { province: new Map(), district: new Map(), commune: new Map() };
      for (const unit of this.allUnits) {
        for (const key of new Set([foldVietnamese(unit.name), foldVietnamese(unit.fullName)])) pushTo(index[unit.level], key, unit);
      }
      this.byFoldedName = index;
    }
    return this.byFoldedName;
  }

  /** The commune with this code on that day, if there was one. */
  communeOn(code: string, date: DateInput): AdministrativeUnit | undefined {
    const day = toIsoDate(date);
    const candidates = day >= REFORM_DATE ? [this.communesAfter.get(code)] : [this.communesBefore.get(code), this.communesStale.get(code)];
    return candidates.find((u): u is AdministrativeUnit => u !== undefined && isValidOn(u, day));
  }

  /** The province with this code on that day, if there was one. */
  provinceOn(code: string, date: DateInput): AdministrativeUnit | undefined {
    const day = toIsoDate(date);
    const unit = day >= REFORM_DATE ? this.provincesAfter.get(code) : this.provincesBefore.get(code);
    return unit && isValidOn(unit, day) ? unit : undefined;
  }

  /** The district with this code on that day (none from the reform date on). */
  districtOn(code: string, date: DateInput): AdministrativeUnit | undefined {
    const day = toIsoDate(date);
    const unit = this.districtsBefore.get(code);
    return unit && isValidOn(unit, day) ? unit : undefined;
  }

  isCommuneValidOn(code: string, date: DateInput): boolean {
    return this.communeOn(code, date) !== undefined;
  }

  isProvinceValidOn(code: string, date: DateInput): boolean {
    return this.provinceOn(code, date) !== undefined;
  }

  /**
   * Provinces, districts and communes in force on a day. Before the reform that is the 63/10,035 list, plus the
   * 12 codes abolished on 2025-03-01 for days before then (the source gives no earlier history).
   */
  unitsInForceOn(date: DateInput): UnitsInForce {
    const day = toIsoDate(date);
    const set = day >= REFORM_DATE ? this.inForce.after : this.inForce.before;
    const withStale = day < REFORM_DATE && [...this.communesStale.values()].some((u) => isValidOn(u, day));
    const chosen = withStale ? this.inForce.beforeWithStale : set;
    return { ...chosen, date: day };
  }

  /**
   * The commune code(s) in force today for a code found on a record. A code of the old list (or one
   * of the five old island districts) gives its new commune(s), several when it was split; a code of
   * the new list only gives itself. Codes in both lists (about 3,300, of which 139 changed meaning)
   * are read as old codes unless `recordedOn` is on or after the reform date.
   * Unknown codes give `[]`.
   */
  currentCodesFor(code: string, options: { recordedOn?: DateInput } = {}): string[] {
    const recordedAfterReform = options.recordedOn !== undefined && toIsoDate(options.recordedOn) >= REFORM_DATE;
    if (recordedAfterReform) return this.communesAfter.has(code) ? [code] : [];
    const targets = this.oldToNewCommune.get(code);
    if (targets) return [...targets];
    return this.communesAfter.has(code) ? [code] : [];
  }

  /** The old codes that went (wholly or partly) into a commune of the new list; `[]` if none. */
  formerCodesOf(newCommuneCode: string): string[] {
    return [...(this.newToOldCommune.get(newCommuneCode) ?? [])];
  }

  /**
   * The province code in force today for an old province code; a code only in the new list gives
   * itself; unknown codes give `undefined`.
   */
  provinceToday(provinceCode: string): string | undefined {
    return this.oldToNewProvince.get(provinceCode) ?? (this.provincesAfter.has(provinceCode) ? provinceCode : undefined);
  }

  /**
   * The province a commune belongs to: on `date` when given; otherwise the commune is read as a code
   * of the current list if it is one, else of the old list.
   */
  provinceOfCommune(code: string, date?: DateInput): string | undefined {
    if (date !== undefined) return this.communeOn(code, date)?.provinceCode;
    return (this.communesAfter.get(code) ?? this.communesBefore.get(code) ?? this.communesStale.get(code))?.provinceCode;
  }

  /** Whether a code is or was a province code (either list): what a personal-ID check accepts. */
  isKnownProvinceCode(code: string): boolean {
    return this.provincesBefore.has(code) || this.provincesAfter.has(code);
  }

  /**
   * Units whose name matches, ranked best first. Matching ignores case, spacing, NFC/NFD, tone-mark
   * placement (`Hoà`/`Hòa`), diacritics altogether (`Ba Che`), đ vs d, and the type prefix
   * (`Xã`, `Phường`, `Thị trấn`, `Đặc khu`, `Tỉnh`, `Thành phố`). A match with the same diacritics
   * ranks above one without, a matching type prefix above a different one, and (without a date)
   * units in force today above former ones.
   */
  findByName(name: string, options: FindByNameOptions): NameMatch[] {
    const { level } = options;
    const folded = foldVietnamese(name);
    if (folded === '') return [];
    const day = options.date === undefined ? undefined : toIsoDate(options.date);
    const stripped = stripPrefix(folded, level);
    const queryKey = toneInsensitiveKey(name);
    // Same words minus the prefix, diacritics kept.
    const strippedKey = stripped
      ? queryKey
          .split(' ')
          .slice(folded.split(' ').length - stripped.rest.split(' ').length)
          .join(' ')
      : undefined;

    const index = this.nameIndex()[level];
    const candidates = new Set<AdministrativeUnit>([...(index.get(folded) ?? []), ...(stripped ? (index.get(stripped.rest) ?? []) : [])]);
    const matches: NameMatch[] = [];
    for (const unit of candidates) {
      if (day !== undefined && !isValidOn(unit, day)) continue;
      if (options.provinceCode !== undefined && unit.provinceCode !== options.provinceCode) continue;
      const unitKeys = [toneInsensitiveKey(unit.name), toneInsensitiveKey(unit.fullName)];
      const exact = unitKeys.includes(queryKey) || (strippedKey !== undefined && unitKeys.includes(strippedKey));
      let score = exact ? 100 : 50;
      if (stripped && stripped.type === unit.type) score += 10;
      if (day === undefined && unit.edition === 'from_2025_07_01') score += 5;
      matches.push({ unit, match: exact ? 'exact' : 'folded', score });
    }
    matches.sort((a, b) => b.score - a.score || a.unit.code.localeCompare(b.unit.code));
    return options.limit === undefined ? matches : matches.slice(0, options.limit);
  }
}

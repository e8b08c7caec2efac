import { AdministrativeUnit, AdministrativeUnits, LAST_DAY_BEFORE_REFORM, LAST_DAY_OF_STALE_CODES, REFORM_DATE } from '@childledger/admin-units';

export type PlaceColumn = 'commune' | 'province' | 'district';

export type CommuneResolution =
  | { ok: true; communeCode: string; provinceCode: string }
  | { ok: false; column: PlaceColumn; code: 'UNKNOWN_COMMUNE' | 'AMBIGUOUS_COMMUNE' | 'UNKNOWN_PROVINCE'; reason: string };

interface Candidate {
  /** Commune code in force today. */
  communeCode: string;
  /** Its province today. */
  provinceCode: string;
  /** From the list before the reform (a district then makes sense). */
  old: boolean;
}

const MAX_LISTED = 4;

/**
 * Finds the commune in force today that a record's place columns name (formats.md: the commune
 * by name or 5-digit code, old or new; the province by name or 2-digit code, old or new; the
 * district, from records kept before July 2025). Records are registered with today's code, so an
 * old commune is followed through the 2025 mapping; an old commune split among several new ones
 * cannot be placed and is reported. A code that exists in both lists is read as new unless the
 * row names a district (districts only exist in records from before the reform) or the province
 * settles it. Results are cached: a file names the same few places over and over.
 */
export class CommuneResolver {
  private readonly cache = new Map<string, CommuneResolution>();

  constructor(private readonly units: AdministrativeUnits) {}

  resolve(commune: string, province: string, district: string): CommuneResolution {
    const key = `${commune}\u0000${province}\u0000${district}`;
    let result = this.cache.get(key);
    if (!result) {
      result = this.resolveUncached(commune.trim(), province.trim(), district.trim());
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(key, result);
    }
    return result;
  }

  private resolveUncached(commune: string, province: string, district: string): CommuneResolution {
    if (commune === '') return { ok: false, column: 'commune', code: 'UNKNOWN_COMMUNE', reason: 'the commune is empty' };
    let provinces: Set<string> | undefined;
    if (province !== '') {
      provinces = this.provincesToday(province);
      if (provinces.size === 0)
        return { ok: false, column: 'province', code: 'UNKNOWN_PROVINCE', reason: `"${province.slice(0, 60)}" is not a province name or code` };
    }
    const inProvince = (c: Candidate) => provinces === undefined || provinces.has(c.provinceCode);
    const where = provinces === undefined ? '' : ` in ${province}`;

    if (/^\d{1,5}$/.test(commune)) {
      // A spreadsheet number cell drops leading zeros: 4 is 00004.
      const code = commune.padStart(5, '0');
      const asNew = this.newReading(code).filter(inProvince);
      const asOld = this.oldReading(code).filter(inProvince);
      const readings = district !== '' ? [asOld, asNew] : [asNew, asOld];
      for (const candidates of readings) {
        const codes = distinct(candidates);
        const [only] = candidates;
        if (codes.length === 1 && only) return { ok: true, communeCode: only.communeCode, provinceCode: only.provinceCode };
        if (codes.length > 1) {
          return {
            ok: false,
            column: 'commune',
            code: 'AMBIGUOUS_COMMUNE',
            reason: `old commune ${code} was split among ${codes.slice(0, MAX_LISTED).join(', ')}; give the commune in force today`,
          };
        }
      }
      return { ok: false, column: 'commune', code: 'UNKNOWN_COMMUNE', reason: `${code} is not a commune code${where}` };
    }

    const districts = district === '' ? undefined : this.districtCodes(district, provinces);
    const matches = this.units.findByName(commune, { level: 'commune' });
    // Best tier first: same diacritics before folded, matching type prefix, units in force today.
    const tiers = new Map<number, Candidate[]>();
    for (const m of matches) {
      if (districts && districts.size > 0 && m.unit.districtCode !== undefined && !districts.has(m.unit.districtCode)) continue;
      const candidates = this.candidatesOf(m.unit).filter(inProvince);
      if (candidates.length === 0) continue;
      const tier = tiers.get(m.score) ?? [];
      tier.push(...candidates);
      tiers.set(m.score, tier);
    }
    for (const [, candidates] of [...tiers].sort(([a], [b]) => b - a)) {
      const codes = distinct(candidates);
      const [only] = candidates;
      if (codes.length === 1 && only) return { ok: true, communeCode: only.communeCode, provinceCode: only.provinceCode };
      const listed = [...new Map(candidates.map((c) => [c.communeCode, c])).values()]
        .slice(0, MAX_LISTED)
        .map((c) => `${c.communeCode} (province ${c.provinceCode})`)
        .join(', ');
      return {
        ok: false,
        column: 'commune',
        code: 'AMBIGUOUS_COMMUNE',
        reason: `"${commune.slice(0, 60)}"${where} could be ${codes.length} communes: ${listed}${codes.length > MAX_LISTED ? ', …' : ''}; give the code or the province`,
      };
    }
    return { ok: false, column: 'commune', code: 'UNKNOWN_COMMUNE', reason: `no commune is named "${commune.slice(0, 60)}"${where}` };
  }

  private newReading(code: string): Candidate[] {
    const unit = this.units.communeOn(code, REFORM_DATE);
    return unit ? [{ communeCode: unit.code, provinceCode: unit.provinceCode, old: false }] : [];
  }

  private oldReading(code: string): Candidate[] {
    const unit = this.units.communeOn(code, LAST_DAY_BEFORE_REFORM) ?? this.units.communeOn(code, LAST_DAY_OF_STALE_CODES);
    return unit ? this.candidatesOf(unit) : [];
  }

  private candidatesOf(unit: AdministrativeUnit): Candidate[] {
    if (unit.edition === 'from_2025_07_01') return [{ communeCode: unit.code, provinceCode: unit.provinceCode, old: false }];
    return this.units.currentCodesFor(unit.code).flatMap((communeCode) => {
      const provinceCode = this.units.provinceOfCommune(communeCode, REFORM_DATE);
      return provinceCode ? [{ communeCode, provinceCode, old: true }] : [];
    });
  }

  /** Today's province codes a province cell may mean (an old province is followed to its new one). */
  private provincesToday(province: string): Set<string> {
    const out = new Set<string>();
    if (/^\d{1,2}$/.test(province)) {
      const today = this.units.provinceToday(province.padStart(2, '0'));
      if (today) out.add(today);
      return out;
    }
    const matches = this.units.findByName(province, { level: 'province' });
    const best = matches[0]?.score;
    for (const m of matches) {
      if (m.score < (best ?? 0) - 10) continue;
      const today = m.unit.edition === 'from_2025_07_01' ? m.unit.code : this.units.provinceToday(m.unit.code);
      if (today) out.add(today);
    }
    return out;
  }

  private districtCodes(district: string, provinces: Set<string> | undefined): Set<string> {
    const out = new Set<string>();
    for (const m of this.units.findByName(district, { level: 'district' })) {
      const today = this.units.provinceToday(m.unit.provinceCode);
      if (provinces && (!today || !provinces.has(today))) continue;
      out.add(m.unit.code);
    }
    return out;
  }
}

function distinct(candidates: Candidate[]): string[] {
  return [...new Set(candidates.map((c) => c.communeCode))];
}

import { AdministrativeUnits, LAST_DAY_BEFORE_REFORM, REFORM_DATE } from '@childledger/admin-units';

/** A recorded residence placed in both unit systems: the units in force from 2025-07-01 and before. */
export interface PlacedResidence {
  /** Commune in force today (from 2025-07-01) the child is counted in. */
  communeCode: string | null;
  provinceCode: string | null;
  /** Commune of the pre-2025 list the child is counted in when indicators ask for old units. */
  oldCommuneCode: string | null;
  oldProvinceCode: string | null;
  /** Every commune in force today the recorded code may stand for (several when an old commune was split). */
  candidates: string[];
  /** True when an old code maps to several communes in force today and one had to be chosen. */
  ambiguous: boolean;
}

/**
 * Places a residence, recorded under whichever codes were in force on its `effectiveFrom`, in the
 * units of both editions. A code that maps to several units (an old commune split between new
 * ones; a new commune made of several old ones) is counted in exactly one, so totals add up:
 * the successor (or predecessor) that kept the same code if there is one, else the first the
 * official mapping lists. The child is flagged (`ambiguous`) and queued for reconciliation, where
 * a data officer records the actual commune. See docs/indicators.md.
 */
export class UnitResolver {
  private readonly cache = new Map<string, PlacedResidence>();

  constructor(private readonly units: AdministrativeUnits) {}

  place(recordedCode: string, effectiveFrom: string): PlacedResidence {
    const afterReform = effectiveFrom >= REFORM_DATE;
    const key = `${recordedCode}|${afterReform ? 'n' : 'o'}`;
    let placed = this.cache.get(key);
    if (!placed) {
      placed = afterReform ? this.placeNew(recordedCode) : this.placeOld(recordedCode);
      this.cache.set(key, placed);
    }
    return placed;
  }

  private placeOld(code: string): PlacedResidence {
    const candidates = this.units.currentCodesFor(code);
    const communeCode = pick(candidates, code);
    return {
      communeCode,
      provinceCode: communeCode ? (this.units.provinceOfCommune(communeCode, REFORM_DATE) ?? null) : null,
      oldCommuneCode: code,
      oldProvinceCode: this.oldProvinceOf(code),
      candidates,
      ambiguous: candidates.length > 1,
    };
  }

  private placeNew(code: string): PlacedResidence {
    const formers = this.units.formerCodesOf(code);
    const oldCommuneCode = pick(formers, code);
    return {
      communeCode: code,
      provinceCode: this.units.provinceOfCommune(code, REFORM_DATE) ?? null,
      oldCommuneCode,
      oldProvinceCode: oldCommuneCode ? this.oldProvinceOf(oldCommuneCode) : null,
      candidates: [code],
      // Where the child lives today is certain; only the old-unit view had to choose.
      ambiguous: false,
    };
  }

  private oldProvinceOf(oldCode: string): string | null {
    // The twelve codes abolished on 2025-03-01 are only valid before then.
    return this.units.provinceOfCommune(oldCode, LAST_DAY_BEFORE_REFORM) ?? this.units.provinceOfCommune(oldCode, '2025-01-01') ?? null;
  }

  /** Whether indicators on this date are asked in the pre-2025 units. */
  static usesOldUnits(unitsOn: string): boolean {
    return unitsOn < REFORM_DATE;
  }
}

function pick(codes: string[], same: string): string | null {
  if (codes.includes(same)) return same;
  return codes[0] ?? null;
}

import { SeededRandom } from '@childledger/random';
import { VietnamAdminUnits } from '../reference-data/admin-units.reference';
import { VietnameseNameSampler, type Sex } from '../reference-data/vietnamese-names.reference';
import { PersonalIdIssuer, daysIn } from '../generator/synthetic-population.generator';

/** A realistic Vietnamese child registration payload. */
export interface ChildRegistrationData {
  readonly fullName: string;
  /** `YYYY-MM-DD` */
  readonly dateOfBirth: string;
  readonly sex: Sex;
  /** 12 digits, consistent with the birth year, sex and birth-registration province (national-id.md). */
  readonly personalId: string;
  /** Current (post-2025) 5-digit commune code of residence. */
  readonly communeCode: string;
  readonly provinceCode: string;
  readonly fatherFullName: string;
  readonly motherFullName: string;
}

let sequence = 0;

/**
 * Test-data factory: `ChildFactory.from({ sex: 'F' }).build()`. Values not given are drawn from the
 * real name and unit lists; each factory is deterministic for its seed (by default a counter, so
 * successive builds differ but a test run is reproducible).
 */
export class ChildFactory {
  private constructor(
    private readonly overrides: Partial<ChildRegistrationData>,
    private readonly random: SeededRandom,
  ) {}

  static from(overrides: Partial<ChildRegistrationData> = {}, seed: number = ++sequence): ChildFactory {
    return new ChildFactory(overrides, new SeededRandom(seed * 7919 + 17));
  }

  build(): ChildRegistrationData {
    const units = VietnamAdminUnits.load();
    const names = VietnameseNameSampler.load();
    const o = this.overrides;
    const r = this.random;
    const sex: Sex = o.sex ?? (r.chance(0.51) ? 'M' : 'F');
    const year = o.dateOfBirth ? Number(o.dateOfBirth.slice(0, 4)) : r.int(2011, 2025);
    const month = r.int(1, 12);
    const dateOfBirth = o.dateOfBirth ?? `${year}-${String(month).padStart(2, '0')}-${String(r.int(1, daysIn(year, month))).padStart(2, '0')}`;
    const commune = (o.communeCode ? units.newCommune(o.communeCode) : undefined) ?? r.pick(units.newCommunes);
    const family = names.familyName(r);
    const oldCode = units.oldCodesOf(commune.code)[0];
    const birthProvince = (year < 2026 && oldCode ? units.oldCommune(oldCode)?.provinceCode : undefined) ?? commune.provinceCode;
    return {
      fullName: o.fullName ?? names.name(r, sex, year, family).full,
      dateOfBirth,
      sex,
      personalId: o.personalId ?? new PersonalIdIssuer(r).issue(birthProvince, year, sex),
      communeCode: o.communeCode ?? commune.code,
      provinceCode: o.provinceCode ?? commune.provinceCode,
      fatherFullName: o.fatherFullName ?? names.name(r, 'M', year - r.int(22, 40), family).full,
      motherFullName: o.motherFullName ?? names.name(r, 'F', year - r.int(20, 38)).full,
    };
  }

  buildMany(n: number): ChildRegistrationData[] {
    return Array.from({ length: n }, () => this.build());
  }
}

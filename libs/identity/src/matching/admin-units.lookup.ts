import { AdministrativeUnits, REFORM_DATE } from '@childledger/admin-units';
import type { AdminUnitLookup } from '@childledger/matching';

/** The matching engine's view of the unit lists: old codes read through the 2025 mapping. */
export function adminUnitLookup(units: AdministrativeUnits): AdminUnitLookup {
  return {
    currentCodesFor: (code) => units.currentCodesFor(code),
    provinceOfCommune: (code) => units.provinceOfCommune(code),
    currentProvinceFor: (code) => units.provinceToday(code),
    communeCodesByName: (name, provinceCode) =>
      units
        .findByName(name, { level: 'commune' })
        .filter((m) => !provinceCode || m.unit.provinceCode === provinceCode || units.provinceToday(m.unit.provinceCode) === provinceCode)
        .map((m) => m.unit.code),
    provinceCodeByName: (name) => units.findByName(name, { level: 'province' })[0]?.unit.code,
  };
}

/** Current (post-reform) commune codes and their provinces for a residence recorded on a day. */
export function currentPlace(units: AdministrativeUnits, communeCode: string, recordedOn: string): { communes: string[]; provinces: string[] } {
  const communes = units.currentCodesFor(communeCode, { recordedOn });
  const provinces = [...new Set(communes.map((c) => units.provinceOfCommune(c, REFORM_DATE)).filter((p): p is string => !!p))];
  return { communes, provinces };
}

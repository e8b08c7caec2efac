import type { AdministrativeUnits } from '@childledger/admin-units';
import type { AdminUnitLookup } from './admin-unit-lookup.port';

/**
 * Matching's view of the real administrative units (`@childledger/admin-units`): old and new
 * codes, the 2025 mapping, and names with or without diacritics.
 */
export function adminUnitLookupFor(units: AdministrativeUnits): AdminUnitLookup {
  return {
    currentCodesFor: (code) => units.currentCodesFor(code),
    provinceOfCommune: (code) => units.provinceOfCommune(code),
    currentProvinceFor: (code) => units.provinceToday(code),
    communeCodesByName: (name, provinceCode) => units.findByName(name, { level: 'commune', provinceCode }).map((m) => m.unit.code),
    provinceCodeByName: (name) => units.findByName(name, { level: 'province' })[0]?.unit.code,
  };
}

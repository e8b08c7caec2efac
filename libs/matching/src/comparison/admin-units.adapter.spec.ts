import { loadAdministrativeUnits } from '@childledger/admin-units';
import { adminUnitLookupFor } from './admin-units.adapter';

describe(adminUnitLookupFor.name, () => {
  const lookup = adminUnitLookupFor(loadAdministrativeUnits());

  it('maps an old commune code to today’s and finds provinces of either era', () => {
    // Phường Phúc Xá (00001, Ba Đình district) went into Phường Hồng Hà (00097) in 2025.
    expect(lookup.currentCodesFor('00001')).toEqual(['00097']);
    expect(lookup.provinceOfCommune('00001')).toBe('01');
    expect(lookup.currentProvinceFor!('01')).toBe('01');
  });

  it('finds communes and provinces by name without diacritics', () => {
    expect(lookup.communeCodesByName!('Phuc Xa', '01')).toContain('00001');
    expect(lookup.provinceCodeByName!('Ha Noi')).toBe('01');
  });
});

import { VietnamAdminUnits, unitNameKey } from './admin-units.reference';

describe(VietnamAdminUnits.name, () => {
  const units = VietnamAdminUnits.load();

  it('loads the real unit lists', () => {
    expect(units.oldCommunes).toHaveLength(10035);
    expect(units.newCommunes).toHaveLength(3321);
    expect(units.newProvinces).toHaveLength(34);
  });

  it('maps old communes and provinces to the ones in force since 2025-07-01', () => {
    expect(units.currentCodesFor('00001')).toEqual(['00097']); // Phúc Xá → Hồng Hà
    expect(units.currentProvinceFor('02')).toBe('08'); // Hà Giang → Tuyên Quang
    expect(units.provinceOfCommune('00097')).toBe('01');
  });

  it('finds units by name whatever the prefix, case and tone placement', () => {
    expect(unitNameKey('Phường  Phúc Xá')).toBe('phuc xa');
    expect(units.communeCodesByName('PHUC XA', '01')).toContain('00001');
    expect(units.provinceCodeByName('Thành phố Hà Nội')).toBe('01');
  });
});

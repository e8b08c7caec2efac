import { REFORM_DATE, toIsoDate } from './administrative-unit.model';
import { AdministrativeUnits } from './administrative-units';
import { loadAdministrativeUnits } from './load-administrative-units';

describe(AdministrativeUnits.name, () => {
  let units: AdministrativeUnits;
  beforeAll(() => {
    units = loadAdministrativeUnits();
  });

  it('is loaded once and cached', () => {
    expect(loadAdministrativeUnits()).toBe(units);
  });

  describe('units in force', () => {
    it('has 63 provinces, 696 districts and 10,035 communes on the last day before the reform', () => {
      const before = units.unitsInForceOn('2025-06-30');
      expect(before.provinces).toHaveLength(63);
      expect(before.districts).toHaveLength(696);
      expect(before.communes).toHaveLength(10_035);
    });

    it('has 34 provinces, no district and 3,321 communes from the reform date', () => {
      const after = units.unitsInForceOn(REFORM_DATE);
      expect(after.provinces).toHaveLength(34);
      expect(after.districts).toHaveLength(0);
      expect(after.communes).toHaveLength(3_321);
      const types = after.communes.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.type]: (acc[c.type] ?? 0) + 1 }), {});
      expect(types).toEqual({ phuong: 687, xa: 2_621, dac_khu: 13 });
    });

    it('adds the 12 codes abolished on 2025-03-01 for earlier dates', () => {
      expect(units.unitsInForceOn('2025-02-28').communes).toHaveLength(10_047);
      expect(units.unitsInForceOn('2025-03-01').communes).toHaveLength(10_035);
      expect(units.isCommuneValidOn('07693', '2024-12-31')).toBe(true);
      expect(units.isCommuneValidOn('07693', '2025-03-01')).toBe(false);
      expect(units.currentCodesFor('07693').length).toBeGreaterThan(0);
    });

    it('keeps codes as text with their leading zeros', () => {
      const codes = units.unitsInForceOn('2025-08-01').communes.map((c) => c.code);
      expect(codes.every((c) => /^\d{5}$/.test(c))).toBe(true);
      expect(units.unitsInForceOn('2025-08-01').provinces.every((p) => /^\d{2}$/.test(p.code))).toBe(true);
    });
  });

  describe('validity on a date', () => {
    it('knows a province that was merged away', () => {
      expect(units.isProvinceValidOn('02', '2025-06-30')).toBe(true); // Hà Giang
      expect(units.isProvinceValidOn('02', '2025-07-01')).toBe(false);
      expect(units.isProvinceValidOn('08', '2025-07-01')).toBe(true); // Tuyên Quang
    });

    it('reads a Date as the calendar day in Vietnam (UTC+7)', () => {
      expect(toIsoDate(new Date('2025-06-30T16:59:00Z'))).toBe('2025-06-30');
      expect(toIsoDate(new Date('2025-06-30T17:00:00Z'))).toBe('2025-07-01');
      expect(units.isProvinceValidOn('02', new Date('2025-06-30T17:30:00Z'))).toBe(false);
    });

    it('reads a code by the list in force on the date: 00004 was Trúc Bạch, is now Ba Đình', () => {
      expect(units.communeOn('00004', '2025-01-01')?.fullName).toBe('Phường Trúc Bạch');
      expect(units.communeOn('00004', '2025-07-01')?.fullName).toBe('Phường Ba Đình');
    });

    it('rejects unknown codes and wrong shapes', () => {
      expect(units.isCommuneValidOn('99999', '2025-01-01')).toBe(false);
      expect(units.isCommuneValidOn('4', '2025-08-01')).toBe(false);
      expect(units.isProvinceValidOn('1', '2025-08-01')).toBe(false);
    });

    it('throws on a date that is not one', () => {
      expect(() => units.isCommuneValidOn('00004', 'yesterday')).toThrow(RangeError);
    });
  });

  describe('Ba Chẽ, 06970', () => {
    it('was Thị trấn Ba Chẽ in Ba Chẽ district and is Xã Ba Chẽ with the same code (not 06978)', () => {
      expect(units.communeOn('06970', '2025-06-30')).toMatchObject({ fullName: 'Thị trấn Ba Chẽ', districtCode: '202', provinceCode: '22', type: 'thi_tran' });
      expect(units.communeOn('06970', '2025-07-01')).toMatchObject({ fullName: 'Xã Ba Chẽ', provinceCode: '22', type: 'xa' });
      expect(units.isCommuneValidOn('06978', '2025-07-01')).toBe(false);
      expect(units.currentCodesFor('06970')).toEqual(['06970']);
      expect(units.formerCodesOf('06970')).toContain('06970');
    });
  });

  describe('old to new', () => {
    it('gives every new commune of a split one: Phường Cống Vị (00007) went to Ngọc Hà and Giảng Võ', () => {
      expect(units.currentCodesFor('00007').sort()).toEqual(['00008', '00025']);
    });

    it('gives the one new commune of a merged one, and the merged ones back: Phường Hồng Hà (00097)', () => {
      expect(units.currentCodesFor('00001')).toEqual(['00097']); // Phường Phúc Xá
      const former = units.formerCodesOf('00097');
      expect(former).toHaveLength(12);
      expect(former).toEqual(expect.arrayContaining(['00001', '00037', '00097', '00268']));
      for (const old of former) expect(units.currentCodesFor(old)).toContain('00097');
    });

    it('reads a code in both lists as old unless recorded after the reform', () => {
      expect(units.currentCodesFor('00025')).not.toEqual(['00025']);
      expect(units.currentCodesFor('00025', { recordedOn: '2025-09-01' })).toEqual(['00025']);
    });

    it('gives a code that is only in the new list itself, and nothing for an unknown code', () => {
      const onlyNew = units.unitsInForceOn('2025-08-01').communes.find((c) => !units.isCommuneValidOn(c.code, '2025-06-30'));
      expect(onlyNew).toBeDefined();
      expect(units.currentCodesFor(onlyNew!.code)).toEqual([onlyNew!.code]);
      expect(units.currentCodesFor('99999')).toEqual([]);
    });

    it('maps the old island districts that had no communes to their special zones', () => {
      expect(units.currentCodesFor('755')).toEqual(['26732']); // Côn Đảo
      expect(units.communeOn('26732', '2025-08-01')?.type).toBe('dac_khu');
    });

    it('maps every commune of the old list to at least one commune in force today', () => {
      for (const c of units.unitsInForceOn('2025-06-30').communes) {
        const targets = units.currentCodesFor(c.code);
        expect(targets.length).toBeGreaterThan(0);
        for (const t of targets) expect(units.isCommuneValidOn(t, '2025-07-01')).toBe(true);
      }
    });

    it('maps provinces: Hà Giang (02) is now Tuyên Quang (08), Hà Nội stays 01', () => {
      expect(units.provinceToday('02')).toBe('08');
      expect(units.provinceToday('01')).toBe('01');
      expect(units.provinceToday('99')).toBeUndefined();
    });

    it('gives the province of a commune on a date, or by the current list first', () => {
      expect(units.provinceOfCommune('06970')).toBe('22');
      expect(units.provinceOfCommune('00928', '2025-08-01')).toBe('08');
      expect(units.provinceOfCommune('99999')).toBeUndefined();
    });
  });

  describe('isKnownProvinceCode', () => {
    it('accepts every code that is or was a province code and nothing else', () => {
      expect(units.isKnownProvinceCode('01')).toBe(true);
      expect(units.isKnownProvinceCode('02')).toBe(true); // only before
      expect(units.isKnownProvinceCode('92')).toBe(true);
      expect(units.isKnownProvinceCode('03')).toBe(false);
      expect(units.isKnownProvinceCode('1')).toBe(false);
      expect(units.isKnownProvinceCode('001')).toBe(false);
    });
  });

  describe('findByName', () => {
    const names = (matches: ReturnType<AdministrativeUnits['findByName']>) => matches.map((m) => `${m.unit.code} ${m.unit.fullName} ${m.match}`);

    it('finds Ba Chẽ without diacritics, current unit first', () => {
      const matches = units.findByName('ba che', { level: 'commune' });
      expect(names(matches)).toEqual(['06970 Xã Ba Chẽ folded', '06970 Thị trấn Ba Chẽ folded']);
    });

    it('ranks an exact match with the right type prefix first', () => {
      const [best] = units.findByName('Thị Trấn  Ba Chẽ', { level: 'commune' });
      expect(best).toMatchObject({ match: 'exact', unit: { code: '06970', type: 'thi_tran' } });
    });

    it('matches both tone-mark placements as exact: Hoà / Hòa, Thuỷ / Thủy', () => {
      for (const q of ['Phường Yên Hoà', 'Yên Hòa', 'yên   hoà']) {
        expect(names(units.findByName(q, { level: 'commune', date: '2025-08-01', provinceCode: '01' }))).toEqual(['00175 Phường Yên Hòa exact']);
      }
      const thuy = units.findByName('Xã Thanh Thuỷ', { level: 'commune', date: '2025-08-01' });
      expect(thuy.map((m) => m.unit.code)).toEqual(['00928', '08674', '19969']);
      expect(thuy.map((m) => m.match)).toEqual(['exact', 'exact', 'exact']);
      expect(thuy[0]!.score).toBeGreaterThan(thuy[2]!.score); // Xã before Phường
    });

    it('matches NFD input and đ written as d', () => {
      const nfd = units.findByName('Đắk Lắk'.normalize('NFD'), { level: 'province', date: '2025-08-01' });
      expect(names(nfd)).toEqual(['66 Tỉnh Đắk Lắk exact']);
      expect(names(units.findByName('tinh dak lak', { level: 'province', date: '2025-08-01' }))).toEqual(['66 Tỉnh Đắk Lắk folded']);
    });

    it('finds provinces with or without Thành phố / Tỉnh, in both editions', () => {
      expect(units.findByName('Thanh pho Ho Chi Minh', { level: 'province' }).map((m) => [m.unit.code, m.unit.edition])).toEqual([
        ['79', 'from_2025_07_01'],
        ['79', 'before_2025_07_01'],
      ]);
      expect(units.findByName('Hà Giang', { level: 'province', date: '2025-08-01' })).toEqual([]);
      expect(names(units.findByName('Hà Giang', { level: 'province', date: '2025-01-01' }))).toEqual(['02 Tỉnh Hà Giang exact']);
    });

    it('ranks a match with diacritics above one without', () => {
      const matches = units.findByName('Hòa Bình', { level: 'province', date: '2025-01-01' });
      expect(matches[0]).toMatchObject({ match: 'exact', unit: { code: '17' } });
    });

    it('finds old districts', () => {
      expect(names(units.findByName('Huyện Ba Chẽ', { level: 'district', date: '2025-01-01' }))).toEqual(['202 Huyện Ba Chẽ exact']);
    });

    it('returns nothing for an empty or unknown name', () => {
      expect(units.findByName('   ', { level: 'commune' })).toEqual([]);
      expect(units.findByName('Atlantis', { level: 'commune' })).toEqual([]);
    });
  });
});

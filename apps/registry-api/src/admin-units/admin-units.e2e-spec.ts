import { RegistryApiHarness } from '../../test/registry-api.harness';

type Unit = {
  code: string;
  level: string;
  fullName: string;
  provinceCode: string;
  provinceName: string;
  districtName?: string;
  edition: string;
  currentCodes: string[];
  formerCodes: string[];
};
type List = { at: string; level: string; province?: Unit; units: Unit[] };
type Lookup = { code: string; at: string; unit: Unit | null; oldUnit: Unit | null; currentUnits: Unit[] };
type Problem = { errors: { field: string; rule: string }[] };

describe('AdminUnitsController (GET /admin-units)', () => {
  let api: RegistryApiHarness;
  beforeAll(async () => {
    api = await RegistryApiHarness.start();
  });
  afterAll(() => api.stop());

  it('lists the 34 provinces in force from 2025-07-01, each with the old provinces that went into it', async () => {
    const res = await api.get<List>('/admin-units?at=2025-09-01', 'communeOfficer', null);
    expect(res.status).toBe(200);
    expect(res.body.level).toBe('province');
    expect(res.body.units).toHaveLength(34);
    const formers = res.body.units.flatMap((u) => u.formerCodes);
    expect(new Set(formers).size).toBe(63);
    expect(res.body.units.find((u) => u.code === '01')).toMatchObject({ fullName: 'Thành phố Hà Nội', edition: 'from_2025_07_01', currentCodes: ['01'] });
  });

  it('lists the 63 provinces of the old list for a day before the reorganisation, each with the province it is in today', async () => {
    const res = await api.get<List>('/admin-units?at=2024-05-01', 'provinceCaseWorker', null);
    expect(res.status).toBe(200);
    expect(res.body.units).toHaveLength(63);
    expect(res.body.units.every((u) => u.edition === 'before_2025_07_01' && u.currentCodes.length === 1)).toBe(true);
  });

  it("lists one province's communes in force on the day: new wards after the reform, old wards with their district before", async () => {
    const after = await api.get<List>('/admin-units?at=2025-09-01&province=01', 'communeOfficer', null);
    expect(after.status).toBe(200);
    expect(after.body.level).toBe('commune');
    expect(after.body.province?.code).toBe('01');
    const baDinh = after.body.units.find((u) => u.code === '00004');
    expect(baDinh).toMatchObject({ fullName: 'Phường Ba Đình', provinceName: 'Thành phố Hà Nội', currentCodes: ['00004'] });
    expect(baDinh!.formerCodes).toEqual(expect.arrayContaining(['00004', '00013']));
    expect(after.body.units.every((u) => u.provinceCode === '01' && u.edition === 'from_2025_07_01' && u.districtName === undefined)).toBe(true);

    const before = await api.get<List>('/admin-units?at=2024-05-01&province=01', 'communeOfficer', null);
    expect(before.status).toBe(200);
    const quanThanh = before.body.units.find((u) => u.code === '00013');
    expect(quanThanh).toMatchObject({ fullName: 'Phường Quán Thánh', districtName: 'Quận Ba Đình', currentCodes: ['00004'], edition: 'before_2025_07_01' });
    expect(before.body.units.length).toBeGreaterThan(after.body.units.length);
  });

  it('looks up an old code: the old ward, and the ward of today it went into', async () => {
    const res = await api.get<Lookup>('/admin-units/00013?at=2024-05-01', 'communeOfficer', null);
    expect(res.status).toBe(200);
    expect(res.body.unit).toMatchObject({ code: '00013', fullName: 'Phường Quán Thánh' });
    expect(res.body.oldUnit?.code).toBe('00013');
    expect(res.body.currentUnits.map((u) => [u.code, u.fullName])).toEqual([['00004', 'Phường Ba Đình']]);
  });

  it('reads a code no longer in force on the day as an old code (not in force, mapped), and a code of today as itself', async () => {
    const old = await api.get<Lookup>('/admin-units/00013?at=2025-09-01', 'communeOfficer', null);
    expect(old.status).toBe(200);
    expect(old.body.unit).toBeNull();
    expect(old.body.oldUnit?.fullName).toBe('Phường Quán Thánh');
    expect(old.body.currentUnits.map((u) => u.code)).toEqual(['00004']);

    // 00004 was Phường Trúc Bạch and is now Phường Ba Đình: after the reform it is read as the new ward.
    const now = await api.get<Lookup>('/admin-units/00004?at=2025-09-01', 'communeOfficer', null);
    expect(now.body.unit?.fullName).toBe('Phường Ba Đình');
    expect(now.body.oldUnit).toBeNull();
    expect(now.body.currentUnits.map((u) => u.code)).toEqual(['00004']);
    const then = await api.get<Lookup>('/admin-units/00004?at=2025-01-10', 'communeOfficer', null);
    expect(then.body.unit?.fullName).toBe('Phường Trúc Bạch');
  });

  it('refuses bad input naming the field and the rule; an unknown code is 404 naming code', async () => {
    const noDate = await api.get<Problem>('/admin-units', 'communeOfficer', null);
    expect(noDate.status).toBe(400);
    expect(noDate.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'at', rule: 'isCalendarDate' })]));
    const badDate = await api.get<Problem>('/admin-units?at=2025-02-30', 'communeOfficer', null);
    expect(badDate.body.errors.map((e) => e.field)).toEqual(['at']);
    const badProvince = await api.get<Problem>('/admin-units?at=2025-09-01&province=1', 'communeOfficer', null);
    expect(badProvince.status).toBe(400);
    expect(badProvince.body.errors[0]).toMatchObject({ field: 'province', rule: 'matches' });
    // 02 was Hà Giang, merged into Tuyên Quang (08) on 2025-07-01.
    const gone = await api.get<Problem>('/admin-units?at=2025-09-01&province=02', 'communeOfficer', null);
    expect(gone.status).toBe(400);
    expect(gone.body.errors[0]).toMatchObject({ field: 'province', rule: 'inForce' });
    const unknown = await api.get<Problem>('/admin-units/99999?at=2025-09-01', 'communeOfficer', null);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'code', rule: 'known' });
    const badCode = await api.get<Problem>('/admin-units/4?at=2025-09-01', 'communeOfficer', null);
    expect(badCode.status).toBe(400);
    expect(badCode.body.errors[0]!.field).toBe('code');
  });

  it('needs a signed-in user (any role)', async () => {
    expect((await api.get('/admin-units?at=2025-09-01', 'none', null)).status).toBe(401);
    for (const who of ['communeOfficer', 'provinceCaseWorker', 'provinceInspector', 'admin'] as const) {
      expect((await api.get('/admin-units?at=2025-09-01', who, null)).status).toBe(200);
    }
  });
});

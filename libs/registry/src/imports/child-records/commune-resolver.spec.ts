import { loadAdministrativeUnits } from '@childledger/admin-units';
import { CommuneResolver } from './commune-resolver';

describe(CommuneResolver.name, () => {
  const resolver = new CommuneResolver(loadAdministrativeUnits());
  const ok = (communeCode: string, provinceCode: string) => ({ ok: true, communeCode, provinceCode });

  it('takes a commune code of today, with or without the province, leading zeros or not', () => {
    expect(resolver.resolve('00004', '', '')).toEqual(ok('00004', '01'));
    expect(resolver.resolve('00004', '01', '')).toEqual(ok('00004', '01'));
    expect(resolver.resolve('4', '1', '')).toEqual(ok('00004', '01'));
  });

  it('follows an old code to the commune in force today', () => {
    // Phường Phúc Xá (old 00001) went into Phường Hồng Hà (00097).
    expect(resolver.resolve('00001', 'Hà Nội', '')).toEqual(ok('00097', '01'));
  });

  it('refuses an old commune that was split, naming the new ones', () => {
    // 00007 went into two wards (00008 and 00025); only a code in force today places the child.
    const r = resolver.resolve('00007', '', 'Ba Đình');
    expect(r).toMatchObject({ ok: false, column: 'commune', code: 'AMBIGUOUS_COMMUNE' });
    expect(r.ok ? '' : r.reason).toContain('00008');
  });

  it('finds a commune by name, with or without diacritics and type prefix, within the province', () => {
    expect(resolver.resolve('Ba Đình', 'Hà Nội', '')).toEqual(ok('00004', '01'));
    expect(resolver.resolve('phuong ba dinh', 'ha noi', '')).toEqual(ok('00004', '01'));
    expect(resolver.resolve('Phường Trúc Bạch', 'Thành phố Hà Nội', 'Quận Ba Đình')).toEqual(ok('00004', '01'));
  });

  it('says which column is wrong', () => {
    expect(resolver.resolve('', '01', '')).toMatchObject({ ok: false, column: 'commune', code: 'UNKNOWN_COMMUNE' });
    expect(resolver.resolve('99999', '', '')).toMatchObject({ ok: false, column: 'commune', code: 'UNKNOWN_COMMUNE' });
    expect(resolver.resolve('Ba Đình', 'Tỉnh Không Có', '')).toMatchObject({ ok: false, column: 'province', code: 'UNKNOWN_PROVINCE' });
    expect(resolver.resolve('00004', '79', '')).toMatchObject({ ok: false, column: 'commune', code: 'UNKNOWN_COMMUNE' });
  });

  it('refuses a name shared by communes of several provinces when no province is given', () => {
    expect(resolver.resolve('Tân Phong', '', '')).toMatchObject({ ok: false, column: 'commune', code: 'AMBIGUOUS_COMMUNE' });
  });
});

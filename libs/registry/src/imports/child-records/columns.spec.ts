import { headerKey, mapHeaders } from './columns';

describe(mapHeaders.name, () => {
  it('matches headers after trimming, case folding and removing diacritics', () => {
    expect(headerKey('  Họ và tên ')).toBe(headerKey('HO VA TEN'));
    expect(headerKey('Xã/Phường')).toBe(headerKey('xa phuong'));
    const m = mapHeaders([
      'STT',
      'HO VA TEN',
      'Ngày tháng năm sinh',
      'giới tính',
      'CCCD',
      'Họ và tên cha',
      'ho ten me',
      'Xã, phường, thị trấn',
      'Quận/Huyện',
      'Tỉnh',
      'Hoan canh dac biet',
      'Ghi chú',
    ]);
    expect([...m.columns.values()]).toEqual([
      'record_ref',
      'full_name',
      'date_of_birth',
      'sex',
      'personal_id',
      'father_full_name',
      'mother_full_name',
      'commune',
      'district',
      'province',
      'special_circumstances',
      'notes',
    ]);
    expect(m.missing).toEqual([]);
    expect(m.headers.get('full_name')).toBe('HO VA TEN');
  });

  it('takes the English names, ignores unknown headers and says which required columns are missing', () => {
    const m = mapHeaders(['record_ref', 'full_name', 'Full_Name', 'favourite colour', '', 'date_of_birth']);
    expect(m.unknown).toEqual(['favourite colour']);
    expect(m.repeated).toEqual(['Full_Name']);
    expect(m.missing).toEqual(['sex', 'commune']);
  });
});

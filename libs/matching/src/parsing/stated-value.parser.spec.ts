import fc from 'fast-check';
import { formatStatedDate, parseSex, parseStatedDate } from './stated-value.parser';
import { childRecordReader, headerKey } from './csv-header.mapper';

describe(parseStatedDate.name, () => {
  it.each([
    ['07/03/2015', { year: 2015, month: 3, day: 7 }],
    ['7/3/2015', { year: 2015, month: 3, day: 7 }],
    ['2015-03-07', { year: 2015, month: 3, day: 7 }],
    ['07-03-2015', { year: 2015, month: 3, day: 7 }],
    ['03/2015', { year: 2015, month: 3 }],
    ['2015', { year: 2015 }],
    ['42070', { year: 2015, month: 3, day: 7 }], // spreadsheet serial
  ])('reads %s', (raw, expected) => {
    expect(parseStatedDate(raw)).toEqual(expected);
  });

  it.each(['31/02/2015', '2015-13-01', 'hôm qua', '', '13/2015'])('rejects %s', (raw) => {
    expect(parseStatedDate(raw)).toBeUndefined();
  });

  it('reads back every valid date it formats as dd/mm/yyyy', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1950-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }), (d) => {
        const text = `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
        return formatStatedDate(parseStatedDate(text)) === d.toISOString().slice(0, 10);
      }),
    );
  });
});

describe(parseSex.name, () => {
  it.each([
    ['Nam', 'M'],
    ['NỮ', 'F'],
    ['nu', 'F'],
    ['Nữ'.normalize('NFD'), 'F'],
    ['male', 'M'],
    ['F', 'F'],
    ['?', undefined],
  ])('%s → %s', (raw, sex) => {
    expect(parseSex(raw)).toBe(sex);
  });
});

describe(childRecordReader.name, () => {
  it('matches headers after trimming, case folding and removing diacritics', () => {
    expect(headerKey(' Họ và tên ')).toBe(headerKey('HO VA TEN'));
    const reader = childRecordReader(['\ufeffMã hồ sơ', 'HO VA TEN', 'Ngày sinh', 'Giới tính', 'CCCD', 'Xã/Phường', 'Tỉnh']);
    const row = reader.read(['HS-1', 'Lê Thị Hoà', '1/2/2016', 'Nữ', '001316000123', '00004', 'Hà Nội'], 2);
    expect(row).toEqual({
      ok: true,
      value: expect.objectContaining({
        recordRef: 'HS-1',
        fullName: 'Lê Thị Hoà',
        dateOfBirth: { year: 2016, month: 2, day: 1 },
        sex: 'F',
        personalId: '001316000123',
        commune: '00004',
        province: 'Hà Nội',
      }),
    });
  });

  it('reports a row without a name, with its column', () => {
    const reader = childRecordReader(['full_name', 'record_ref']);
    expect(reader.read(['', 'X'], 3)).toEqual({ ok: false, reason: 'full name is empty', column: 'full_name' });
  });
});

import fc from 'fast-check';
import { FAKE_UNITS, KNOWN_PROVINCE_CODES } from '../testing/fixtures';
import { centurySexDigit, checkPersonalId, formatPersonalId, parsePersonalId, Sex } from './personal-id';

const girl2015 = { dateOfBirth: '2015-03-02', sex: 'F' as Sex };

describe(checkPersonalId.name, () => {
  it('accepts a number that agrees with birth year and sex: 001 3 15 012345, a girl born in 2015 in Hà Nội', () => {
    const result = checkPersonalId('001315012345', girl2015, FAKE_UNITS);
    expect(result).toEqual({
      valid: true,
      personalId: '001315012345',
      parts: { provinceCode: '01', centurySexDigit: 3, century: 2000, sex: 'F', yearDigits: '15', serial: '012345' },
    });
  });

  it('accepts spaces between groups and stores the number without them', () => {
    expect(checkPersonalId(' 001 3 15 012345 ', girl2015, FAKE_UNITS)).toMatchObject({ valid: true, personalId: '001315012345' });
  });

  it.each([
    ['00131501234', 'LENGTH_OR_DIGITS'], // 11 digits
    ['0013150123456', 'LENGTH_OR_DIGITS'], // 13
    ['00131501234A', 'LENGTH_OR_DIGITS'],
    ['', 'LENGTH_OR_DIGITS'],
    ['003315012345', 'UNKNOWN_PROVINCE_CODE'], // 03 was never a province code
    ['101315012345', 'UNKNOWN_PROVINCE_CODE'], // PPP must start with 0
    ['001215012345', 'CENTURY_SEX_MISMATCH'], // 2 = boy born in the 2000s
    ['001115012345', 'CENTURY_SEX_MISMATCH'], // 1 = girl born in the 1900s: a parent's number?
    ['001316012345', 'BIRTH_YEAR_MISMATCH'],
  ])('refuses %j: %s', (id, problem) => {
    expect(checkPersonalId(id, girl2015, FAKE_UNITS)).toMatchObject({ valid: false, problem });
  });

  it('accepts a code that was a province only before 2025 (02 Hà Giang) and a Cần Thơ number (092)', () => {
    expect(checkPersonalId('002215000001', { dateOfBirth: '2015-01-01', sex: 'M' }, FAKE_UNITS).valid).toBe(true);
    expect(checkPersonalId('092324000001', { dateOfBirth: '2024-01-01', sex: 'F' }, FAKE_UNITS).valid).toBe(true);
  });

  it('reads the century/sex digit for every century the law defines', () => {
    expect([1999, 2000, 2100, 2200, 2399].map((y) => [centurySexDigit(y, 'M'), centurySexDigit(y, 'F')])).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 9],
    ]);
    expect(centurySexDigit(1899, 'M')).toBeUndefined();
    expect(centurySexDigit(2400, 'F')).toBeUndefined();
  });

  describe('properties', () => {
    const birth = fc
      .record({ y: fc.integer({ min: 1900, max: 2399 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
      .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    const person = fc.record({ dateOfBirth: birth, sex: fc.constantFrom<Sex>('M', 'F') });
    const province = fc.constantFrom(...KNOWN_PROVINCE_CODES);
    const serial = fc.integer({ min: 0, max: 999_999 });

    it('any number generated for a known province, a date of birth and a sex validates', () => {
      fc.assert(
        fc.property(province, person, serial, (p, who, n) => {
          const id = formatPersonalId(p, who, n);
          const result = checkPersonalId(id, who, FAKE_UNITS);
          return result.valid && result.parts.provinceCode === p && result.parts.sex === who.sex && parsePersonalId(id)?.serial === String(n).padStart(6, '0');
        }),
      );
    });

    it('flipping the sex digit fails with CENTURY_SEX_MISMATCH', () => {
      fc.assert(
        fc.property(province, person, serial, (p, who, n) => {
          const id = formatPersonalId(p, who, n);
          const flipped = id.slice(0, 3) + String(Number(id[3]) ^ 1) + id.slice(4);
          const result = checkPersonalId(flipped, who, FAKE_UNITS);
          return !result.valid && result.problem === 'CENTURY_SEX_MISMATCH';
        }),
      );
    });

    it('another birth year in the same century fails with BIRTH_YEAR_MISMATCH', () => {
      fc.assert(
        fc.property(province, person, serial, fc.integer({ min: 1, max: 99 }), (p, who, n, shift) => {
          const id = formatPersonalId(p, who, n);
          const year = Number(who.dateOfBirth.slice(0, 4));
          const other = Math.floor(year / 100) * 100 + (((year % 100) + shift) % 100);
          const result = checkPersonalId(id, { ...who, dateOfBirth: `${other}${who.dateOfBirth.slice(4)}` }, FAKE_UNITS);
          return !result.valid && result.problem === 'BIRTH_YEAR_MISMATCH';
        }),
      );
    });

    it('a province code that never existed fails with UNKNOWN_PROVINCE_CODE', () => {
      const unknown = fc
        .integer({ min: 0, max: 99 })
        .map((n) => String(n).padStart(2, '0'))
        .filter((c) => !KNOWN_PROVINCE_CODES.includes(c));
      fc.assert(
        fc.property(unknown, person, serial, (p, who, n) => {
          const result = checkPersonalId(formatPersonalId(p, who, n), who, FAKE_UNITS);
          return !result.valid && result.problem === 'UNKNOWN_PROVINCE_CODE';
        }),
      );
    });
  });
});

import fc from 'fast-check';
import { personalIdProblem, Sex } from './personal-id';

// The console's copy of the domain's check (libs/domain/src/personal-id/personal-id.ts): the console
// may not import the domain, so these cases state the domain's rules — layout 0PP S YY RRRRRR, the
// checks in order shape, province, century and sex, year — and each must give the domain's answer.
const PROVINCES = new Set(['01', '02', '08', '79', '31', '48']);
const known = (code: string) => PROVINCES.has(code);

function build(province: string, person: { dateOfBirth: string; sex: Sex }, serial: number): string {
  const year = Number(person.dateOfBirth.slice(0, 4));
  const s = ((Math.floor(year / 100) * 100 - 1900) / 100) * 2 + (person.sex === 'F' ? 1 : 0);
  return `0${province}${s}${String(year % 100).padStart(2, '0')}${String(serial).padStart(6, '0')}`;
}

const person = fc.record({
  dateOfBirth: fc.date({ min: new Date('1990-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  sex: fc.constantFrom<Sex>('M', 'F'),
});

describe(personalIdProblem.name, () => {
  it('names each problem as the domain does, in the domain\u2019s order', () => {
    const girl2016 = { dateOfBirth: '2016-03-14', sex: 'F' as const };
    expect(personalIdProblem('001316012345', girl2016, known)).toBeUndefined();
    expect(personalIdProblem('001 3 16 012345', girl2016, known)).toBeUndefined();
    expect(personalIdProblem('00131601234', girl2016, known)).toBe('LENGTH_OR_DIGITS');
    expect(personalIdProblem('00131601234a', girl2016, known)).toBe('LENGTH_OR_DIGITS');
    expect(personalIdProblem('099316012345', girl2016, known)).toBe('UNKNOWN_PROVINCE_CODE');
    expect(personalIdProblem('101316012345', girl2016, known)).toBe('UNKNOWN_PROVINCE_CODE');
    // A parent's number in the child's field: born in the 1900s.
    expect(personalIdProblem('001185012345', girl2016, known)).toBe('CENTURY_SEX_MISMATCH');
    expect(personalIdProblem('001216012345', girl2016, known)).toBe('CENTURY_SEX_MISMATCH');
    expect(personalIdProblem('001315012345', girl2016, known)).toBe('BIRTH_YEAR_MISMATCH');
    // Shape before province: a short number with a bad province is a length problem.
    expect(personalIdProblem('0993', girl2016, known)).toBe('LENGTH_OR_DIGITS');
  });

  it('accepts the number a person would be given, and refuses it for the other sex or another year', () => {
    fc.assert(
      fc.property(person, fc.constantFrom(...PROVINCES), fc.integer({ min: 0, max: 999_999 }), (p, province, serial) => {
        const id = build(province, p, serial);
        expect(personalIdProblem(id, p, known)).toBeUndefined();
        expect(personalIdProblem(id, { ...p, sex: p.sex === 'F' ? 'M' : 'F' }, known)).toBe('CENTURY_SEX_MISMATCH');
        const otherYear = String(((Number(p.dateOfBirth.slice(2, 4)) + 1) % 100) + 2000).padStart(4, '0');
        const shifted = { ...p, dateOfBirth: `${p.dateOfBirth.slice(0, 2)}${otherYear.slice(2)}${p.dateOfBirth.slice(4)}` };
        // Same century (unless the year wrapped to 00), another year: the year digits fail.
        if (shifted.dateOfBirth.slice(0, 2) === p.dateOfBirth.slice(0, 2) && otherYear.slice(2) !== '00')
          expect(personalIdProblem(id, shifted, known)).toBe('BIRTH_YEAR_MISMATCH');
      }),
      { numRuns: 500 },
    );
  });
});

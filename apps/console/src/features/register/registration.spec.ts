import { validateRegistration, registrationBody, addYears } from './registration';
import { SubmissionKeys } from './submission-key';
import { splitApiProblems } from './form-problems';
import { ApiError } from '../../api/errors';

const ctx = { today: '2026-12-02', isKnownProvinceCode: (c: string) => ['01', '79'].includes(c) };
const valid = {
  fullName: ' Nguyễn Thị Thu Hà ',
  dateOfBirth: '2016-03-14',
  sex: 'F' as const,
  residence: { communeCode: '00004', effectiveFrom: '2025-09-01' },
};

describe(validateRegistration.name, () => {
  it('accepts a complete registration, with or without a personal ID', () => {
    expect(validateRegistration(valid, ctx)).toEqual([]);
    expect(validateRegistration({ ...valid, personalId: '001 3 16 012345' }, ctx)).toEqual([]);
  });

  it('names every missing field as the API does', () => {
    expect(validateRegistration({ fullName: '   ' }, ctx).map((p) => [p.field, p.rule])).toEqual([
      ['fullName', 'required'],
      ['dateOfBirth', 'required'],
      ['sex', 'required'],
      ['residence.communeCode', 'required'],
      ['residence.effectiveFrom', 'required'],
    ]);
  });

  it('refuses a birth date in the future and a person of 16 or more, as the domain does', () => {
    expect(
      validateRegistration({ ...valid, dateOfBirth: '2026-12-03', residence: { communeCode: '00004', effectiveFrom: '2026-12-02' } }, ctx)[0],
    ).toMatchObject({ field: 'dateOfBirth', rule: 'DATE_IN_FUTURE' });
    expect(validateRegistration({ ...valid, dateOfBirth: '2010-12-02' }, ctx)[0]).toMatchObject({ field: 'dateOfBirth', rule: 'CHILD_TOO_OLD' });
    expect(validateRegistration({ ...valid, dateOfBirth: '2010-12-03' }, ctx)).toEqual([]);
    // Born on 29 February: the birthday in a common year is 1 March, as in the domain.
    expect(addYears('2008-02-29', 17)).toBe('2025-03-01');
    expect(addYears('2008-02-29', 16)).toBe('2024-02-29');
  });

  it('refuses a residence starting before birth or in the future', () => {
    expect(validateRegistration({ ...valid, residence: { communeCode: '00004', effectiveFrom: '2016-03-13' } }, ctx)).toEqual([
      { field: 'residence.effectiveFrom', rule: 'DATE_BEFORE_BIRTH' },
    ]);
    expect(validateRegistration({ ...valid, residence: { communeCode: '00004', effectiveFrom: '2027-01-01' } }, ctx)).toEqual([
      { field: 'residence.effectiveFrom', rule: 'DATE_IN_FUTURE' },
    ]);
  });

  it('checks the personal ID against the birth date and sex (a parent\u2019s ID in the child\u2019s field)', () => {
    expect(validateRegistration({ ...valid, personalId: '001185012345' }, ctx)).toEqual([
      { field: 'personalId', rule: 'INVALID_PERSONAL_ID', personalIdProblem: 'CENTURY_SEX_MISMATCH' },
    ]);
    expect(validateRegistration({ ...valid, personalId: '12345' }, ctx)).toEqual([
      { field: 'personalId', rule: 'INVALID_PERSONAL_ID', personalIdProblem: 'LENGTH_OR_DIGITS' },
    ]);
    expect(validateRegistration({ ...valid, personalId: '045316012345' }, ctx)).toEqual([
      { field: 'personalId', rule: 'INVALID_PERSONAL_ID', personalIdProblem: 'UNKNOWN_PROVINCE_CODE' },
    ]);
  });

  it('refuses names and notes longer than the API takes', () => {
    expect(validateRegistration({ ...valid, motherName: 'a'.repeat(201), notes: 'x'.repeat(4001) }, ctx).map((p) => p.field)).toEqual(['motherName', 'notes']);
  });

  it('sends trimmed NFC text and leaves empty optional fields out', () => {
    const body = registrationBody({ ...valid, fullName: 'Phạm Thị Thuỷ'.normalize('NFD'), personalId: ' ', motherName: '  ' });
    expect(body).toEqual({
      fullName: 'Phạm Thị Thuỷ'.normalize('NFC'),
      dateOfBirth: '2016-03-14',
      sex: 'F',
      residence: { communeCode: '00004', effectiveFrom: '2025-09-01' },
    });
  });
});

describe(SubmissionKeys.name, () => {
  it('reuses the key while the content is the same (double click, retry) and takes a new one for new content or after success', () => {
    let n = 0;
    const keys = new SubmissionKeys(() => `key-${++n}`);
    expect(keys.keyFor({ a: 1 })).toBe('key-1');
    expect(keys.keyFor({ a: 1 })).toBe('key-1');
    expect(keys.keyFor({ a: 2 })).toBe('key-2');
    keys.done();
    expect(keys.keyFor({ a: 2 })).toBe('key-3');
  });
});

describe(splitApiProblems.name, () => {
  it('puts the problems of the form\u2019s fields beside them and the rest above the form', () => {
    const error = new ApiError(
      422,
      [
        { field: 'personalId', rule: 'INVALID_PERSONAL_ID', message: '' },
        { field: 'If-Match', rule: 'VERSION_CONFLICT', message: '' },
      ],
      'INVALID_PERSONAL_ID',
      '',
    );
    expect(splitApiProblems(error, ['personalId', 'fullName'])).toEqual({
      byField: [{ field: 'personalId', rule: 'INVALID_PERSONAL_ID' }],
      general: [{ field: 'If-Match', rule: 'VERSION_CONFLICT' }],
    });
    expect(splitApiProblems(new ApiError(500, [], undefined, ''), ['fullName']).general).toEqual([{ field: '', rule: 'other' }]);
  });
});

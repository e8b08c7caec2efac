import { normalisePersonalId, personalIdInconsistency } from './personal-id.rules';

describe(personalIdInconsistency.name, () => {
  it('accepts an ID that fits the birth year and sex', () => {
    expect(personalIdInconsistency('001315012345', { year: 2015 }, 'F')).toBeUndefined();
    expect(personalIdInconsistency('079209012345', { year: 2009 }, 'M')).toBeUndefined();
  });

  it("flags a parent's ID written in a child's column", () => {
    expect(personalIdInconsistency('001085012345', { year: 2015 }, 'F')).toMatch(/born 1985/);
    expect(personalIdInconsistency('001215012345', { year: 2015 }, 'F')).toMatch(/male/);
  });
});

describe(normalisePersonalId.name, () => {
  it('restores the leading zero a spreadsheet dropped and rejects other lengths', () => {
    expect(normalisePersonalId('1215012345')).toBe('001215012345');
    expect(normalisePersonalId(' 001-215-012345 ')).toBe('001215012345');
    expect(normalisePersonalId('12345')).toBeUndefined();
  });
});

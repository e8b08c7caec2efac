import { formatDate, formatDateTime, formatNumber, formatPercent } from './format';

describe('format', () => {
  it('writes calendar dates dd/mm/yyyy, never shifted by the time zone', () => {
    expect(formatDate('2016-03-14')).toBe('14/03/2016');
    expect(formatDate('2025-07-01')).toBe('01/07/2025');
  });

  it('writes instants in Vietnam time', () => {
    // 17:30 UTC on 30 June is already 1 July in Hà Nội.
    expect(formatDate('2025-06-30T17:30:00Z')).toBe('01/07/2025');
    expect(formatDateTime('2025-06-30T17:30:00Z')).toBe('01/07/2025 00:30');
  });

  it('refuses what is not a date', () => {
    expect(() => formatDate('yesterday')).toThrow(RangeError);
  });

  it('writes numbers 1.234,5', () => {
    expect(formatNumber(1234.5)).toBe('1.234,5');
    expect(formatNumber(1234567)).toBe('1.234.567');
    expect(formatPercent(0.125)).toMatch(/^12,5\s?%$/);
  });
});

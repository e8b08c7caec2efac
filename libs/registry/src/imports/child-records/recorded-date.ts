import { isIsoDate } from '@childledger/domain';

export type DatePrecision = 'day' | 'month' | 'year';

export type RecordedDate = { ok: true; date: string; precision: DatePrecision } | { ok: false; reason: string };

const pad = (n: number) => String(n).padStart(2, '0');

function day(y: number, m: number, d: number, precision: DatePrecision = 'day'): RecordedDate {
  const iso = `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`;
  if (!isIsoDate(iso)) return { ok: false, reason: `${pad(d)}/${pad(m)}/${y} is not a calendar date` };
  return { ok: true, date: iso, precision };
}

// Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in): serial 45000 is 2023-03-15.
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

/**
 * Reads a date of birth as officers write it (formats.md): `dd/mm/yyyy`, `d/m/yyyy`, `yyyy-mm-dd`,
 * `dd-mm-yyyy`, `mm/yyyy`, `yyyy` (dots accepted as separators too), or a spreadsheet cell: a date
 * cell, or a number that is a year or a date serial. Day-first, as in Vietnam; never month-first.
 * A month or a year alone gives its first day, with the precision, so the caller can say so.
 */
export function parseRecordedDate(value: unknown): RecordedDate {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { ok: false, reason: 'the date cell is not a valid date' };
    // Spreadsheet date cells carry no zone; readers give midnight UTC of the day shown.
    return day(value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate());
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 1900 && value <= 2999) return day(value, 1, 1, 'year');
    if (value >= 1 && value < 2_958_466) {
      const at = new Date(EXCEL_EPOCH_MS + Math.floor(value) * DAY_MS);
      return day(at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate());
    }
    return { ok: false, reason: `${value} is not a date` };
  }
  if (typeof value !== 'string') return { ok: false, reason: 'not a date' };
  const text = value.trim();
  if (text === '') return { ok: false, reason: 'the date of birth is empty' };
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(text);
  if (m) return day(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (m) return day(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{1,2})[/.-](\d{4})$/.exec(text);
  if (m) {
    const month = Number(m[1]);
    if (month < 1 || month > 12) return { ok: false, reason: `${text}: ${month} is not a month` };
    return day(Number(m[2]), month, 1, 'month');
  }
  m = /^(\d{4})$/.exec(text);
  if (m) return day(Number(m[1]), 1, 1, 'year');
  return { ok: false, reason: `"${text.slice(0, 40)}" is not a date (dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy, mm/yyyy or yyyy)` };
}

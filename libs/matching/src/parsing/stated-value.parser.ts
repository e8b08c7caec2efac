import type { Sex, StatedDate } from '../model/person.model';
import { foldVietnamese } from '../normalisation/vietnamese-text.normaliser';

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1900 || year > 2399 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// Excel serial day 25569 = 1970-01-01 (the 1900 leap-year bug is already accounted for from 1900-03-01).
const EXCEL_EPOCH_OFFSET = 25569;

/**
 * Parses a stated date of birth in any format of formats.md: `dd/mm/yyyy`, `d/m/yyyy`, `yyyy-mm-dd`,
 * `dd-mm-yyyy`, `mm/yyyy`, `yyyy`, a spreadsheet serial number, or a JS Date. Returns undefined if
 * unreadable. Day-first is assumed for `a/b/yyyy`, as Vietnamese spreadsheets write it.
 */
export function parseStatedDate(raw: unknown): StatedDate | undefined {
  if (raw instanceof Date && !Number.isNaN(raw.getTime())) {
    return { year: raw.getUTCFullYear(), month: raw.getUTCMonth() + 1, day: raw.getUTCDate() };
  }
  if (typeof raw === 'number') return fromSerial(raw);
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  if (!s) return undefined;
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/.exec(s);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s);
  if (m) return build(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{1,2})[-/.](\d{4})$/.exec(s);
  if (m) {
    const month = Number(m[1]);
    const year = Number(m[2]);
    return month >= 1 && month <= 12 && year >= 1900 && year <= 2399 ? { year, month } : undefined;
  }
  m = /^(\d{4})$/.exec(s);
  if (m) {
    const year = Number(m[1]);
    return year >= 1900 && year <= 2399 ? { year } : undefined;
  }
  m = /^(\d{5})(?:\.\d+)?$/.exec(s); // a date cell exported as its serial number
  if (m) return fromSerial(Number(m[1]));
  return undefined;
}

function build(year: number, month: number, day: number): StatedDate | undefined {
  return validDate(year, month, day) ? { year, month, day } : undefined;
}

function fromSerial(serial: number): StatedDate | undefined {
  if (!Number.isFinite(serial) || serial < 60 || serial > 200000) return undefined;
  const d = new Date(Math.round((serial - EXCEL_EPOCH_OFFSET) * 86400000));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const SEX_WORDS: Record<string, Sex> = {
  m: 'M',
  nam: 'M',
  male: 'M',
  trai: 'M',
  'be trai': 'M',
  boy: 'M',
  f: 'F',
  nu: 'F',
  female: 'F',
  gai: 'F',
  'be gai': 'F',
  girl: 'F',
};

/** `Nam`/`Nữ`, `M`/`F`, `male`/`female`, any case, with or without diacritics. */
export function parseSex(raw: string | undefined): Sex | undefined {
  if (!raw) return undefined;
  // A residents file says "M" or "F" a million times: the fold (NFD, regexes) only for the others.
  if (raw === 'M' || raw === 'F') return raw;
  return SEX_WORDS[foldVietnamese(raw)];
}

export function formatStatedDate(d: StatedDate | undefined): string {
  if (!d) return '';
  const mm = d.month ? String(d.month).padStart(2, '0') : '';
  const dd = d.day ? String(d.day).padStart(2, '0') : '';
  if (d.month && d.day) return `${d.year}-${mm}-${dd}`;
  if (d.month) return `${mm}/${d.year}`;
  return String(d.year);
}

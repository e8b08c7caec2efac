import { RegistryError } from './registry.error';

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;
/** An instant, ISO 8601 with a zone, as produced by `Date.prototype.toISOString`. */
export type IsoDateTime = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Vietnam has used UTC+7 without daylight saving since 1975: "today" is the day in Hà Nội.
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The calendar day in Vietnam at an instant (a Date, or ISO text with a zone). */
export function vietnamDate(at: Date | IsoDateTime): IsoDate {
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return new Date(t + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The calendar day `n` days after (or, negative, before) `date`. */
export function addDays(date: IsoDate, n: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * The same day `years` later. 29 February falls on 1 March in a common year, so a child born on a
 * 29 February turns 16 on 1 March (the later reading keeps them a child one day longer).
 */
export function addYears(date: IsoDate, years: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(y + years, m - 1, d));
  return shifted.toISOString().slice(0, 10);
}

export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * 60 * 60 * 1000);
}

/** Validates a calendar-date field of a command. */
export function requireIsoDate(value: unknown, field: string): IsoDate {
  if (!isIsoDate(value)) throw new RegistryError('INVALID_INPUT', `${field} must be a date YYYY-MM-DD`, field);
  return value;
}

/** Validates an instant field of a command and returns it normalised to UTC ISO. */
export function requireInstant(value: unknown, field: string): IsoDateTime {
  const ok = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(new Date(value).getTime());
  if (!ok) throw new RegistryError('INVALID_INPUT', `${field} must be an ISO date-time with a zone`, field);
  return new Date(value).toISOString();
}

/** A date must not be later than today (in Vietnam). */
export function requireNotInFuture(date: IsoDate, now: Date, field: string): void {
  if (date > vietnamDate(now)) throw new RegistryError('DATE_IN_FUTURE', `${field} ${date} is in the future`, field);
}

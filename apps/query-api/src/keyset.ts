import { BadRequestException } from '@nestjs/common';

/**
 * Keyset paging shared by the list routes: a page size and an opaque cursor that is the base64url
 * JSON of the last row's sort key. The next page starts strictly after that key, so rows added or
 * removed meanwhile never shift a page (no OFFSET).
 */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 500;

export function pageLimit(value: string | undefined, field = 'limit'): number {
  if (value === undefined) return DEFAULT_PAGE;
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE)) {
    throw new BadRequestException({ message: `${field} must be an integer from 1 to ${MAX_PAGE}`, field });
  }
  return limit;
}

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The sort key in a cursor this API returned: `parts` checks each element (a pattern, or any
 * non-empty string when null). Anything else is a 400 naming the field.
 */
export function decodeCursor(cursor: string, field: string, parts: readonly (RegExp | ((s: string) => boolean) | null)[]): string[] {
  const ok = (x: string, part: RegExp | ((s: string) => boolean) | null | undefined) => (part instanceof RegExp ? part.test(x) : part ? part(x) : true);
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === parts.length && v.every((x, i) => typeof x === 'string' && x !== '' && ok(x, parts[i]))) return v as string[];
  } catch {
    // fall through
  }
  throw new BadRequestException({ message: `${field} is not a cursor this API returned`, field });
}

/** A page of `limit` rows from a query run with `limit + 1`, and the cursor of the next page (null on the last). */
export function page<T>(rows: readonly T[], limit: number, key: (row: T) => readonly string[]): { rows: T[]; next: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return { rows: shown, next: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null };
}

const INSTANT_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/** A cursor part written by the read models' `sqlInstant` (UTC, microseconds), naming an instant that exists. */
export const INSTANT = (text: string): boolean => INSTANT_FORMAT.test(text) && isInstantText(text);

/**
 * Whether `text` is a timestamptz as PostgreSQL prints it (`2025-08-01 10:00:00.123456+07`) or as
 * the read models' `sqlInstant` does, naming a day and time that exist: a cursor with a made-up instant gets a 400,
 * not a cast error from the database.
 */
export function isInstantText(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    y >= 1 &&
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s
  );
}

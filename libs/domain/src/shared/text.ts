import { RegistryError } from './registry.error';

export const MAX_NAME_LENGTH = 200;
export const MAX_TEXT_LENGTH = 4000;

// Control characters (other than tab and line breaks, which free text may hold) and lone UTF-16
// surrogates (half a character: JSON can carry them, PostgreSQL and every export cannot) are refused.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Throws INVALID_CHARACTERS when `text` holds a control character or half a character. */
export function requireCleanCharacters(text: string, field: string): string {
  if (LONE_SURROGATE.test(text)) throw new RegistryError('INVALID_CHARACTERS', `${field} holds an incomplete character (a lone UTF-16 surrogate)`, field);
  if (CONTROL.test(text)) throw new RegistryError('INVALID_CHARACTERS', `${field} holds a control character`, field);
  return text;
}

/** NFC, trimmed, runs of white space as one space: how names are stored. */
export function normaliseName(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** A required person name: normalised, not empty, at most 200 characters (code points). */
export function requireName(raw: unknown, field: string): string {
  if (typeof raw !== 'string') throw new RegistryError('NAME_REQUIRED', `${field} is required`, field);
  const name = requireCleanCharacters(normaliseName(raw), field);
  if (name === '') throw new RegistryError('NAME_REQUIRED', `${field} is empty`, field);
  // A name begins with a letter: this also keeps spreadsheet formulas (=, +, -, @) out of the register.
  if (!/^\p{L}/u.test(name)) throw new RegistryError('INVALID_CHARACTERS', `${field} must begin with a letter`, field);
  if ([...name].length > MAX_NAME_LENGTH) throw new RegistryError('NAME_TOO_LONG', `${field} is longer than ${MAX_NAME_LENGTH} characters`, field);
  return name;
}

/** An optional person name: absent, null or blank means none. */
export function optionalName(raw: unknown, field: string): string | undefined {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  return requireName(raw, field);
}

/** Optional free text (notes): NFC, trimmed, bounded. */
export function optionalText(raw: unknown, field: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw new RegistryError('INVALID_INPUT', `${field} must be text`, field);
  const text = requireCleanCharacters(raw.normalize('NFC').trim(), field);
  if (text === '') return undefined;
  if ([...text].length > MAX_TEXT_LENGTH) throw new RegistryError('INVALID_INPUT', `${field} is longer than ${MAX_TEXT_LENGTH} characters`, field);
  return text;
}

/** Corrections, unlinks, merges, erasures and reopenings say why. */
export function requireReason(raw: unknown, field = 'reason'): string {
  const reason = typeof raw === 'string' ? requireCleanCharacters(raw.normalize('NFC').trim(), field) : '';
  if (reason === '') throw new RegistryError('MISSING_REASON', `${field} is required`, field);
  if ([...reason].length > MAX_TEXT_LENGTH) throw new RegistryError('INVALID_INPUT', `${field} is too long`, field);
  return reason;
}

/** A non-empty identifier or label. */
export function requireText(raw: unknown, field: string): string {
  const text = typeof raw === 'string' ? requireCleanCharacters(raw.normalize('NFC').trim(), field) : '';
  if (text === '') throw new RegistryError('INVALID_INPUT', `${field} is required`, field);
  return text;
}

export function requireOneOf<T extends string>(raw: unknown, allowed: readonly T[], field: string): T {
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) {
    throw new RegistryError('INVALID_INPUT', `${field} must be one of ${allowed.join(', ')}`, field);
  }
  return raw as T;
}

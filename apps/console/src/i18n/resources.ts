import type { vi } from './vi';
import type { Widen } from './widen';

/** The shape of every language: Vietnamese's keys, any strings. */
export type Resources = Widen<typeof vi>;

export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'vi';

/** Marks a string as a translation key where it is not passed to t() at once (menus, tables). */
export const tKey = <K extends string>(key: K): K => key;

/**
 * The bounds of one import (issue 14): what an XLSX archive may inflate to, and how many data rows a
 * file may hold. The registry API takes them from its configuration (IMPORT_* variables, README);
 * the CLI and the rejected-rows file use these defaults.
 */
export interface ImportLimits {
  /** Largest size one archive entry (a sheet's XML, the shared strings) may inflate to, declared or actual. */
  maxEntryBytes: number;
  /** Largest size all entries of the archive may inflate to together, declared or actual. */
  maxArchiveBytes: number;
  /** Largest compression ratio (inflated : compressed) of an entry that inflates past `ratioFloorBytes`; of the whole file while inflating. */
  maxCompressionRatio: number;
  /** Entries (or a whole file) inflating to less than this are not held to `maxCompressionRatio` (small XML compresses very well). */
  ratioFloorBytes: number;
  /** Most entries an archive may hold (an XLSX of one sheet holds about ten). */
  maxEntries: number;
  /** Most data rows a file may hold: the import stops after this many (rule TOO_MANY_ROWS). */
  maxRows: number;
}

const MB = 1024 * 1024;

/** Defaults: a 200,000-row sheet of child records is about 60 MB of XML. */
export const DEFAULT_IMPORT_LIMITS: Readonly<ImportLimits> = {
  maxEntryBytes: 200 * MB,
  maxArchiveBytes: 500 * MB,
  maxCompressionRatio: 100,
  ratioFloorBytes: 1 * MB,
  maxEntries: 1000,
  maxRows: 200_000,
};

export type ImportLimitRule = 'ARCHIVE_TOO_LARGE' | 'ARCHIVE_RATIO' | 'ARCHIVE_ENTRIES' | 'ARCHIVE_UNREADABLE' | 'TOO_MANY_ROWS';

/** The file passes one of the import's bounds: the import fails, naming the rule; what was written before (rows) stays. */
export class ImportLimitError extends Error {
  constructor(
    readonly rule: ImportLimitRule,
    message: string,
    /** What was done before the stop, after the rule. */
    detail?: string,
  ) {
    super(`${message} (rule ${rule})${detail ? `: ${detail}` : ''}`);
    this.name = 'ImportLimitError';
  }
}

/**
 * The rule an import's failure message names (`… (rule ARCHIVE_RATIO)`, as ImportLimitError writes
 * it), for the HTTP answer; `IMPORT_FILE` for the other file-level failures.
 */
export function importFailureRule(error: string | null | undefined): ImportLimitRule | 'IMPORT_FILE' {
  const rule = /\(rule (ARCHIVE_TOO_LARGE|ARCHIVE_RATIO|ARCHIVE_ENTRIES|ARCHIVE_UNREADABLE|TOO_MANY_ROWS)\)/.exec(error ?? '')?.[1];
  return (rule as ImportLimitRule | undefined) ?? 'IMPORT_FILE';
}

export function resolveImportLimits(limits: Partial<ImportLimits> = {}): ImportLimits {
  const defined = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as Partial<ImportLimits>;
  return { ...DEFAULT_IMPORT_LIMITS, ...defined };
}

/** `200 MB` for whole mebibytes, else `1234 bytes`. */
export function sizeText(bytes: number): string {
  return bytes % MB === 0 ? `${bytes / MB} MB` : `${bytes} bytes`;
}

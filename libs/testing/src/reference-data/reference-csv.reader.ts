import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** Folder of the reference data copied into this library (see data/README.md). */
export const REFERENCE_DATA_DIR = join(__dirname, '..', '..', 'data');

export function readReferenceCsv(relativePath: string): Record<string, string>[] {
  const text = readFileSync(join(REFERENCE_DATA_DIR, relativePath), 'utf8');
  return parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
}

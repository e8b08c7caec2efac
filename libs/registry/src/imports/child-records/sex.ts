import { foldVietnamese } from '@childledger/admin-units';
import type { Sex } from '@childledger/domain';

const SEXES: Record<string, Sex> = { nam: 'M', m: 'M', male: 'M', nu: 'F', f: 'F', female: 'F' };

/** `Nam`/`Nữ`, `M`/`F`, `male`/`female`, in any case, with or without diacritics. */
export function parseSex(value: string): Sex | undefined {
  return SEXES[foldVietnamese(value)];
}

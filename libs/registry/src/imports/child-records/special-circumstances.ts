import { foldVietnamese } from '@childledger/admin-units';

/** Law on Children 2016, Art. 10, in its own words. */
export const SPECIAL_CIRCUMSTANCE_NAMES: Readonly<Record<number, string>> = {
  1: 'Trẻ em mồ côi cả cha và mẹ',
  2: 'Trẻ em bị bỏ rơi',
  3: 'Trẻ em không nơi nương tựa',
  4: 'Trẻ em khuyết tật',
  5: 'Trẻ em nhiễm HIV/AIDS',
  6: 'Trẻ em vi phạm pháp luật',
  7: 'Trẻ em nghiện ma túy',
  8: 'Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập giáo dục trung học cơ sở',
  9: 'Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực',
  10: 'Trẻ em bị bóc lột',
  11: 'Trẻ em bị xâm hại tình dục',
  12: 'Trẻ em bị mua bán',
  13: 'Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo',
  14: 'Trẻ em di cư, trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc',
};

// Distinctive words of each group (folded), Vietnamese and English (domain.md): a name written
// in full, shortened ("mồ côi", "khuyết tật") or in English is recognised by them.
const KEYWORDS: Readonly<Record<number, readonly string[]>> = {
  1: ['mo coi', 'orphan'],
  2: ['bo roi', 'abandoned'],
  3: ['khong noi nuong tua', 'nuong tua', 'rely on'],
  4: ['khuyet tat', 'disabilit'],
  5: ['hiv', 'aids'],
  6: ['vi pham phap luat', 'conflict with the law'],
  7: ['ma tuy', 'drug'],
  8: ['bo hoc', 'out of school'],
  9: ['bao luc', 'violence'],
  10: ['boc lot', 'exploited', 'exploitation'],
  11: ['xam hai tinh duc', 'tinh duc', 'sexual'],
  12: ['mua ban', 'trafficked', 'trafficking'],
  13: ['benh hiem ngheo', 'dieu tri dai ngay', 'ho ngheo', 'illness'],
  14: ['di cu', 'lanh nan', 'ti nan', 'nguoi cham soc', 'migrant', 'refugee', 'asylum'],
};

export type CircumstancesParse = { ok: true; groups: number[] } | { ok: false; reason: string };

function groupOf(piece: string): number | string {
  const folded = foldVietnamese(piece);
  const number = /^(?:nhom|group|so)?\s*(\d{1,2})$/.exec(folded);
  if (number) {
    const g = Number(number[1]);
    return g >= 1 && g <= 14 ? g : `${g} is not a group 1–14`;
  }
  const matches = Object.entries(KEYWORDS)
    .filter(([, words]) => words.some((w) => ` ${folded} `.includes(` ${w}`)))
    .map(([g]) => Number(g));
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) return only;
  if (matches.length === 0) return `"${piece.trim().slice(0, 60)}" is not a special-circumstance group (1–14 or its name)`;
  return `"${piece.trim().slice(0, 60)}" could be groups ${matches.join(', ')}`;
}

/**
 * Group numbers 1–14 separated by `;` or `,`, or their names (Vietnamese or English, with or
 * without diacritics). Group 14's own name contains commas; its pieces all name group 14.
 */
export function parseSpecialCircumstances(value: string): CircumstancesParse {
  const pieces = value.split(/[;,\n]/).filter((p) => p.trim() !== '');
  const groups = new Set<number>();
  for (const piece of pieces) {
    const g = groupOf(piece);
    if (typeof g === 'string') return { ok: false, reason: g };
    groups.add(g);
  }
  return { ok: true, groups: [...groups].sort((a, b) => a - b) };
}

import type { SeededRandom } from '@childledger/random';
import { encodeTelex, encodeVni } from '@childledger/vietnamese-keyboard';
import type { VietnamAdminUnits } from '../reference-data/admin-units.reference';
import type { GeneratedName } from '../reference-data/vietnamese-names.reference';
import type { ChildRecordRow, TrueChild } from './synthetic-population.generator';
import { daysIn } from './synthetic-population.generator';

/** Probabilities of the errors found in officers' spreadsheets. Each is applied independently. */
export interface NoiseProfile {
  readonly dropDiacritics: number;
  /** Typed in Telex with the Vietnamese input method off ("Nguyeenx Thij Mai"), when accents were not dropped. */
  readonly telexTyped: number;
  /** Typed in VNI with the input method off ("Nguye6n4 Thi5 Mai"). */
  readonly vniTyped: number;
  readonly nfd: number;
  readonly otherTonePlacement: number;
  readonly upperCase: number;
  readonly missingMiddleName: number;
  readonly nameTypo: number;
  readonly reorderedName: number;
  /** For families with a regional spelling pair (Hoàng/Huỳnh, Vũ/Võ): chance the other spelling is used. */
  readonly regionalSurname: number;
  readonly lookAlikeD: number;
  readonly swappedDayMonth: number;
  readonly dateDigitTypo: number;
  readonly dateOffByDays: number;
  readonly monthYearOnly: number;
  readonly yearOnly: number;
  readonly missingDate: number;
  readonly missingSex: number;
  readonly wrongSex: number;
  readonly statedId: number;
  readonly idDigitTypo: number;
  readonly idTransposed: number;
  readonly idTwoDigits: number;
  readonly parentIdInChildColumn: number;
  readonly idLeadingZeroDropped: number;
  readonly parentNames: number;
  readonly oldCommuneCode: number;
  readonly communeName: number;
  readonly missingCommune: number;
  readonly wrongCommune: number;
  readonly missingProvince: number;
}

export const DEFAULT_NOISE: NoiseProfile = {
  dropDiacritics: 0.25,
  telexTyped: 0.04,
  vniTyped: 0.015,
  nfd: 0.1,
  otherTonePlacement: 0.15,
  upperCase: 0.08,
  missingMiddleName: 0.08,
  nameTypo: 0.04,
  reorderedName: 0.01,
  regionalSurname: 0.1,
  lookAlikeD: 0.03,
  swappedDayMonth: 0.04,
  dateDigitTypo: 0.03,
  dateOffByDays: 0.02,
  monthYearOnly: 0.03,
  yearOnly: 0.03,
  missingDate: 0.02,
  missingSex: 0.03,
  wrongSex: 0.01,
  statedId: 0.4,
  idDigitTypo: 0.05,
  idTransposed: 0.02,
  idTwoDigits: 0.01,
  parentIdInChildColumn: 0.05,
  idLeadingZeroDropped: 0.05,
  parentNames: 0.6,
  oldCommuneCode: 0.35,
  communeName: 0.25,
  missingCommune: 0.05,
  wrongCommune: 0.05,
  missingProvince: 0.25,
};

const TONES = ['\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];
const CLUSTERS = ['oa', 'oe', 'uy', 'OA', 'OE', 'UY', 'Oa', 'Oe', 'Uy'];
const PLACEMENT_SWAPS: [RegExp, string][] = CLUSTERS.flatMap((c) =>
  TONES.flatMap((t) => {
    const second = `${c[0]}${c[1]}${t}`.normalize('NFC');
    const first = `${c[0]}${t}${c[1]}`.normalize('NFC');
    return [
      [new RegExp(`${second}(?=\\s|$)`, 'gu'), first],
      [new RegExp(`${first}(?=\\s|$)`, 'gu'), second],
    ] as [RegExp, string][];
  }),
);

/** Moves tone marks to the other accepted vowel in open oa/oe/uy syllables: Hoà ↔ Hòa, Thuỷ ↔ Thủy. */
export function swapTonePlacement(text: string): string {
  let out = text.normalize('NFC');
  // Mark swapped spots so that the reverse rule does not undo them.
  const done: string[] = [];
  for (const [re, replacement] of PLACEMENT_SWAPS) {
    out = out.replace(re, () => {
      done.push(replacement);
      return `\ue000${done.length - 1}\ue001`;
    });
  }
  return out.replace(/\ue000(\d+)\ue001/g, (_, i: string) => done[Number(i)] ?? '');
}

export function dropDiacritics(text: string): string {
  return text.replace(/[đð]/g, 'd').replace(/[ĐÐ]/g, 'D').normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

const REGIONAL: Record<string, string> = { Hoàng: 'Huỳnh', Huỳnh: 'Hoàng', Vũ: 'Võ', Võ: 'Vũ' };
const LETTERS = 'aăâbcdđeêghiklmnoôơpqrstuưvxy';

function typo(random: SeededRandom, word: string): string {
  const chars = [...word];
  const i = random.int(0, chars.length - 1);
  switch (random.int(0, 2)) {
    case 0:
      chars[i] = random.pick([...LETTERS]);
      break;
    case 1:
      if (chars.length > 2) chars.splice(i, 1);
      break;
    default:
      chars.splice(i, 0, chars[i] ?? 'a');
  }
  return chars.join('');
}

export function noisyName(random: SeededRandom, name: GeneratedName, p: NoiseProfile): string {
  let middle = name.middle;
  let given = name.given;
  let family = name.family;
  if (middle && random.chance(p.missingMiddleName)) middle = random.chance(0.7) || !middle.includes(' ') ? '' : middle.split(' ')[0]!;
  if (random.chance(p.nameTypo)) {
    if (middle && random.chance(0.4)) middle = typo(random, middle);
    else given = typo(random, given);
  }
  if (REGIONAL[family] && random.chance(p.regionalSurname)) family = REGIONAL[family]!;
  const full = random.chance(p.reorderedName) ? [middle, given, family].filter(Boolean).join(' ') : [family, middle, given].filter(Boolean).join(' ');
  // A person's name typed with the input method off (place names are chosen from lists, not typed).
  const typed = random.chance(p.telexTyped) ? encodeTelex(full) : random.chance(p.vniTyped) ? encodeVni(full) : full;
  return styleText(random, typed, p);
}

function styleText(random: SeededRandom, text: string, p: NoiseProfile): string {
  let out = text;
  if (random.chance(p.otherTonePlacement)) out = swapTonePlacement(out);
  if (random.chance(p.lookAlikeD)) out = out.replace(/Đ/g, 'Ð').replace(/đ/g, 'ð');
  if (random.chance(p.dropDiacritics)) out = dropDiacritics(out);
  if (random.chance(p.upperCase)) out = out.toUpperCase();
  if (random.chance(p.nfd)) out = out.normalize('NFD');
  if (random.chance(0.05)) out = ` ${out.replace(/ /g, '  ')} `;
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');

function formatDate(random: SeededRandom, y: number, m: number, d: number): string {
  switch (random.pick(['dmy', 'dmy', 'dmy', 'd/m/y', 'iso', 'iso', 'd-m-y'])) {
    case 'dmy':
      return `${pad(d)}/${pad(m)}/${y}`;
    case 'd/m/y':
      return `${d}/${m}/${y}`;
    case 'iso':
      return `${y}-${pad(m)}-${pad(d)}`;
    default:
      return `${pad(d)}-${pad(m)}-${y}`;
  }
}

export function noisyDate(random: SeededRandom, iso: string, p: NoiseProfile): string {
  let y = Number(iso.slice(0, 4));
  let m = Number(iso.slice(5, 7));
  let d = Number(iso.slice(8, 10));
  if (random.chance(p.missingDate)) return '';
  if (random.chance(p.yearOnly)) return String(y);
  if (random.chance(p.monthYearOnly)) return `${pad(m)}/${y}`;
  if (d <= 12 && d !== m && random.chance(p.swappedDayMonth)) [d, m] = [m, d];
  else if (random.chance(p.dateDigitTypo)) {
    const digits = `${y}${pad(m)}${pad(d)}`.split('');
    for (let tries = 0; tries < 10; tries++) {
      const i = random.int(2, 7);
      const copy = [...digits];
      copy[i] = String(random.int(0, 9));
      const [yy, mm, dd] = [Number(copy.slice(0, 4).join('')), Number(copy.slice(4, 6).join('')), Number(copy.slice(6, 8).join(''))];
      if (copy.join('') !== digits.join('') && mm >= 1 && mm <= 12 && dd >= 1 && dd <= daysIn(yy, mm)) {
        [y, m, d] = [yy, mm, dd];
        break;
      }
    }
  } else if (random.chance(p.dateOffByDays)) {
    const t = new Date(Date.UTC(y, m - 1, d) + random.pick([-20, -7, -3, -1, 1, 2, 5, 14]) * 86400000);
    [y, m, d] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
  }
  return formatDate(random, y, m, d);
}

function noisyId(random: SeededRandom, child: TrueChild, p: NoiseProfile): string {
  const parent = random.chance(0.5) ? child.mother : child.father;
  if (parent && random.chance(p.parentIdInChildColumn)) return parent.personalId;
  if (!child.personalId || !random.chance(p.statedId)) return '';
  const id = child.personalId.split('');
  if (random.chance(p.idDigitTypo)) {
    const i = random.int(3, 11);
    id[i] = String((Number(id[i]) + random.int(1, 9)) % 10);
  } else if (random.chance(p.idTransposed)) {
    const i = random.int(6, 10);
    if (id[i] !== id[i + 1]) [id[i], id[i + 1]] = [id[i + 1] as string, id[i] as string];
  } else if (random.chance(p.idTwoDigits)) {
    for (const i of [random.int(6, 8), random.int(9, 11)]) id[i] = String((Number(id[i]) + random.int(1, 9)) % 10);
  }
  let out = id.join('');
  if (random.chance(p.idLeadingZeroDropped)) out = out.replace(/^0/, '');
  return out;
}

function noisyPlace(
  random: SeededRandom,
  units: VietnamAdminUnits,
  child: TrueChild,
  p: NoiseProfile,
): { commune: string; district: string; province: string } {
  const current = units.newCommune(child.communeCode);
  if (!current) return { commune: '', district: '', province: '' };
  let commune = current;
  if (random.chance(p.wrongCommune)) {
    const others = units.newCommunes.filter((c) => c.provinceCode === current.provinceCode && c.code !== current.code);
    if (others.length) commune = random.pick(others);
  }
  if (random.chance(p.missingCommune)) {
    return { commune: '', district: '', province: random.chance(0.5) ? commune.provinceCode : (units.newProvince(commune.provinceCode)?.name ?? '') };
  }
  const oldCodes = units.oldCodesOf(commune.code);
  const useOld = oldCodes.length > 0 && random.chance(p.oldCommuneCode + p.communeName / 2);
  const unit = useOld ? (units.oldCommune(random.pick(oldCodes)) ?? commune) : commune;
  const asName = random.chance(p.communeName / (p.oldCommuneCode + p.communeName));
  const communeText = asName ? styleText(random, random.chance(0.5) ? unit.fullName : unit.name, DEFAULT_NOISE) : unit.code;
  const provinceUnit = useOld ? units.oldProvince(unit.provinceCode) : units.newProvince(unit.provinceCode);
  const province = random.chance(p.missingProvince)
    ? ''
    : random.chance(0.5)
      ? unit.provinceCode
      : styleText(random, provinceUnit?.fullName ?? '', DEFAULT_NOISE);
  return { commune: communeText, district: useOld && random.chance(0.5) ? (unit.districtName ?? '') : '', province };
}

const SEX_STYLES: Record<'M' | 'F', string[]> = {
  M: ['Nam', 'Nam', 'nam', 'M', 'male', 'NAM'],
  F: ['Nữ', 'Nữ', 'nữ', 'Nu', 'F', 'female', 'NỮ'],
};

export function applyRecordNoise(random: SeededRandom, units: VietnamAdminUnits, ref: string, child: TrueChild, p: NoiseProfile): ChildRecordRow {
  const sex = random.chance(p.missingSex) ? undefined : random.chance(p.wrongSex) ? (child.sex === 'M' ? 'F' : 'M') : child.sex;
  const place = noisyPlace(random, units, child, p);
  const parentName = (parent: TrueChild['father']) => (parent && random.chance(p.parentNames) ? noisyName(random, parent.name, p) : '');
  return {
    record_ref: ref,
    full_name: noisyName(random, child.name, p),
    date_of_birth: noisyDate(random, child.dateOfBirth, p),
    sex: sex ? random.pick(SEX_STYLES[sex]) : '',
    personal_id: noisyId(random, child, p),
    father_full_name: parentName(child.father),
    mother_full_name: parentName(child.mother),
    commune: place.commune,
    district: place.district,
    province: place.province,
    special_circumstances: random.chance(0.3) ? String(random.int(1, 14)) : '',
    notes: '',
  };
}

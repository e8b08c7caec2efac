import { SeededRandom } from '@childledger/random';
import { VietnamAdminUnits, type CommuneUnit } from '../reference-data/admin-units.reference';
import { VietnameseNameSampler, type GeneratedName, type Sex } from '../reference-data/vietnamese-names.reference';
import { applyRecordNoise, DEFAULT_NOISE, type NoiseProfile } from './record-noise';

/** A row of the residents file (formats.md), as the national database holds it. */
export interface ResidentRow {
  readonly personal_id: string;
  readonly full_name: string;
  readonly sex: Sex;
  readonly date_of_birth: string;
  readonly birth_registration_province_code: string;
  readonly residence_commune_code: string;
  readonly father_full_name: string;
  readonly mother_full_name: string;
  readonly father_personal_id: string;
  readonly mother_personal_id: string;
}

/** A row of the child-records file (formats.md), as an officer's spreadsheet holds it. */
export interface ChildRecordRow {
  readonly record_ref: string;
  readonly full_name: string;
  readonly date_of_birth: string;
  readonly sex: string;
  readonly personal_id: string;
  readonly father_full_name: string;
  readonly mother_full_name: string;
  readonly commune: string;
  readonly district: string;
  readonly province: string;
  readonly special_circumstances: string;
  readonly notes: string;
}

/** What the generator knows about a child, before noise: the truth behind a record. */
export interface TrueChild {
  readonly personalId?: string; // undefined: no national record
  readonly name: GeneratedName;
  readonly sex: Sex;
  readonly dateOfBirth: string;
  readonly communeCode: string;
  readonly father?: { readonly name: GeneratedName; readonly personalId: string };
  readonly mother?: { readonly name: GeneratedName; readonly personalId: string };
}

export interface ScenarioOptions {
  readonly seed: number;
  /** Households in the population; about 4.2 residents each. */
  readonly households: number;
  /** Child records to draw. */
  readonly records: number;
  /** Share of records about children with no national record. Default 0.1. */
  readonly unregisteredShare?: number;
  /** Number of communes the households live in; default about one per 400 households. */
  readonly communes?: number;
  readonly twinRate?: number;
  /** Share of households given a same-name child in a neighbouring household. */
  readonly namesakeRate?: number;
  readonly noise?: Partial<NoiseProfile>;
  /** Year the population is observed (children are under 16 then). */
  readonly referenceYear?: number;
}

export interface Scenario {
  readonly residents: ResidentRow[];
  readonly records: ChildRecordRow[];
  /** record_ref → true personal_id, '' for a child with no national record. */
  readonly truth: Map<string, string>;
  readonly children: TrueChild[];
}

interface Household {
  readonly commune: CommuneUnit;
  readonly family: string;
  readonly father: ResidentRow & { name: GeneratedName };
  readonly mother: ResidentRow & { name: GeneratedName };
  readonly children: TrueChild[];
}

/**
 * Generates a synthetic population (parents and children in households, in real communes, with
 * realistic names) and noisy child records about some of its children and about children who have
 * no national record. Deterministic for a given seed.
 */
export function generateScenario(options: ScenarioOptions): Scenario {
  const random = new SeededRandom(options.seed);
  const names = VietnameseNameSampler.load();
  const units = VietnamAdminUnits.load();
  const referenceYear = options.referenceYear ?? 2026;
  const ids = new PersonalIdIssuer(random.fork(1));
  const communeCount = options.communes ?? Math.max(3, Math.round(options.households / 400));
  // A few provinces, several communes in each: neighbours and same-province candidates exist.
  const provinces = shuffle(random, [...new Set(units.newCommunes.map((c) => c.provinceCode))]).slice(0, Math.max(1, Math.ceil(communeCount / 8)));
  const communes = shuffle(
    random,
    units.newCommunes.filter((c) => provinces.includes(c.provinceCode) && units.oldCodesOf(c.code).length > 0),
  ).slice(0, communeCount);
  const birthProvince = (commune: CommuneUnit, year: number) => {
    // Births registered before the 2025 reorganisation carry the old province code.
    if (year >= 2026) return commune.provinceCode;
    const old = units.oldCodesOf(commune.code)[0];
    return (old && units.oldCommune(old)?.provinceCode) ?? commune.provinceCode;
  };
  const date = (year: number) => {
    const month = random.int(1, 12);
    const day = random.int(1, daysIn(year, month));
    return `${year}-${pad(month)}-${pad(day)}`;
  };
  const adult = (sex: Sex, commune: CommuneUnit, family?: string) => {
    const year = random.int(referenceYear - 50, referenceYear - 20);
    const name = names.name(random, sex, year, family);
    const dob = date(year);
    const province = birthProvince(commune, year);
    return {
      name,
      personal_id: ids.issue(province, year, sex),
      full_name: name.full,
      sex,
      date_of_birth: dob,
      birth_registration_province_code: province,
      residence_commune_code: commune.code,
      father_full_name: '',
      mother_full_name: '',
      father_personal_id: '',
      mother_personal_id: '',
    };
  };
  const makeChild = (h: Omit<Household, 'children'>, registered: boolean, dob?: string, forced?: Partial<TrueChild>): TrueChild => {
    const sex: Sex = forced?.sex ?? (random.chance(0.51) ? 'M' : 'F');
    const dateOfBirth = dob ?? date(random.int(Math.max(referenceYear - 15, Number(h.mother.date_of_birth.slice(0, 4)) + 18), referenceYear));
    const year = Number(dateOfBirth.slice(0, 4));
    const name = forced?.name ?? names.name(random, sex, year, h.family);
    return {
      personalId: registered ? ids.issue(birthProvince(h.commune, year), year, sex) : undefined,
      name,
      sex,
      dateOfBirth,
      communeCode: h.commune.code,
      father: { name: h.father.name, personalId: h.father.personal_id },
      mother: { name: h.mother.name, personalId: h.mother.personal_id },
    };
  };

  const households: Household[] = [];
  const unregistered: TrueChild[] = [];
  const twinRate = options.twinRate ?? 0.02;
  const namesakeRate = options.namesakeRate ?? 0.03;
  for (let k = 0; k < options.households; k++) {
    const commune = random.pick(communes);
    const family = names.familyName(random);
    const base = { commune, family, father: adult('M', commune, family), mother: adult('F', commune) };
    const children: TrueChild[] = [];
    const n = random.pick([0, 1, 1, 2, 2, 2, 3, 3, 4]);
    for (let c = 0; c < n; c++) {
      const child = makeChild(base, true);
      children.push(child);
      if (random.chance(twinRate)) {
        children.push(makeChild(base, true, child.dateOfBirth));
        c++;
      }
    }
    const household = { ...base, children };
    households.push(household);
    // A neighbour's child with the same full name but another birth date and other parents.
    const first = children[0];
    if (first && random.chance(namesakeRate)) {
      const neighbourFamily = first.name.family;
      const nb = { commune, family: neighbourFamily, father: adult('M', commune, neighbourFamily), mother: adult('F', commune) };
      households.push({ ...nb, children: [makeChild(nb, true, undefined, { name: first.name, sex: first.sex })] });
    }
  }

  const residents: ResidentRow[] = [];
  const registeredChildren: TrueChild[] = [];
  for (const h of households) {
    residents.push(stripName(h.father), stripName(h.mother));
    for (const c of h.children) {
      registeredChildren.push(c);
      residents.push({
        personal_id: c.personalId as string,
        full_name: c.name.full,
        sex: c.sex,
        date_of_birth: c.dateOfBirth,
        birth_registration_province_code: c.personalId ? (c.personalId.slice(1, 3) as string) : '',
        residence_commune_code: c.communeCode,
        father_full_name: h.father.full_name,
        mother_full_name: h.mother.full_name,
        father_personal_id: h.father.personal_id,
        mother_personal_id: h.mother.personal_id,
      });
    }
  }

  // Records: mostly registered children; some with no national record, half of them siblings in a
  // registered household (same parents, same commune: the hardest non-matches).
  const unregisteredShare = options.unregisteredShare ?? 0.1;
  const noise: NoiseProfile = { ...DEFAULT_NOISE, ...options.noise };
  const records: ChildRecordRow[] = [];
  const truth = new Map<string, string>();
  const chosen: TrueChild[] = [];
  const pool = shuffle(random, registeredChildren);
  let next = 0;
  for (let k = 0; k < options.records; k++) {
    let child: TrueChild;
    if (random.chance(unregisteredShare) || next >= pool.length) {
      const h = random.pick(households);
      if (random.chance(0.5)) child = makeChild(h, false);
      else {
        const family = names.familyName(random);
        const stranger = { commune: h.commune, family, father: adult('M', h.commune, family), mother: adult('F', h.commune) };
        child = makeChild(stranger, false);
      }
      unregistered.push(child);
    } else child = pool[next++] as TrueChild;
    chosen.push(child);
    const ref = `HS-${String(k + 1).padStart(6, '0')}`;
    records.push(applyRecordNoise(random, units, ref, child, noise));
    truth.set(ref, child.personalId ?? '');
  }
  return { residents, records, truth, children: chosen };
}

function stripName<T extends { name: GeneratedName }>(row: T): ResidentRow {
  const { name: _name, ...rest } = row;
  return rest as unknown as ResidentRow;
}

/** Issues unique 12-digit IDs: `0PP` + century/sex digit + `YY` + 6 random digits (national-id.md). */
export class PersonalIdIssuer {
  private readonly issued = new Set<string>();

  constructor(private readonly random: SeededRandom) {}

  issue(provinceCode: string, year: number, sex: Sex): string {
    const s = (Math.floor(year / 100) - 19) * 2 + (sex === 'F' ? 1 : 0);
    for (;;) {
      const id = `0${provinceCode.padStart(2, '0')}${s}${String(year % 100).padStart(2, '0')}${String(this.random.int(0, 999_999)).padStart(6, '0')}`;
      if (!this.issued.has(id)) {
        this.issued.add(id);
        return id;
      }
    }
  }
}

function shuffle<T>(random: SeededRandom, items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

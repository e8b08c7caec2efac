import { SeededRandom, WeightedPicker } from '@childledger/random';
import { readReferenceCsv } from './reference-csv.reader';

export type Sex = 'M' | 'F';

export interface GeneratedName {
  readonly family: string;
  readonly middle: string;
  readonly given: string;
  readonly full: string;
}

// The sample in data/vn-names is one southern IT university's forum (see its SOURCE.md): Nguyễn is
// 31% there, about 38% nationally. The four largest families are pinned to the commonly cited
// national shares; the rest keep the sample's relative frequencies.
const NATIONAL_FAMILY_SHARES: Record<string, number> = { Nguyễn: 0.38, Trần: 0.11, Lê: 0.095, Phạm: 0.071 };

let cached: VietnameseNameSampler | undefined;

/** Samples realistic Vietnamese names by recombining parts from the real frequency tables. */
export class VietnameseNameSampler {
  private readonly family: WeightedPicker<string>;
  private readonly boysGiven: WeightedPicker<string>;
  private readonly girlsGiven: WeightedPicker<string>;
  private readonly boysCompound: string[];
  private readonly girlsCompound: string[];
  private readonly middleSyllables: WeightedPicker<string>;

  static load(): VietnameseNameSampler {
    cached ??= new VietnameseNameSampler();
    return cached;
  }

  private constructor() {
    const families = readReferenceCsv('vn-names/freq_family_name.csv');
    const pinnedTotal = Object.values(NATIONAL_FAMILY_SHARES).reduce((a, b) => a + b, 0);
    const restTotal = families.filter((f) => !(f['name']! in NATIONAL_FAMILY_SHARES)).reduce((a, f) => a + Number(f['count']), 0);
    this.family = new WeightedPicker(
      families.map((f) => f['name']!),
      families.map((f) => NATIONAL_FAMILY_SHARES[f['name']!] ?? ((1 - pinnedTotal) * Number(f['count'])) / restTotal),
    );
    const givenCounts = new Map(readReferenceCsv('vn-names/freq_given_name.csv').map((g) => [g['name']!, Number(g['count'])]));
    const syllables = readReferenceCsv('vn-names/given_name_syllables_by_gender.csv');
    const byGender = (sex: Sex) => syllables.filter((s) => s['gender'] === sex).map((s) => s['syllable']!);
    // Baby-name lists have no counts: weight by the sample's given-name counts, +1 for unseen names.
    const picker = (names: string[]) =>
      new WeightedPicker(
        names,
        names.map((n) => 1 + (givenCounts.get(n) ?? 0)),
      );
    this.boysGiven = picker(byGender('M'));
    this.girlsGiven = picker(byGender('F'));
    const compounds = readReferenceCsv('vn-names/given_names_by_gender.csv').filter((g) => g['n_words'] === '2');
    this.boysCompound = compounds.filter((g) => g['gender'] === 'M').map((g) => g['name']!);
    this.girlsCompound = compounds.filter((g) => g['gender'] === 'F').map((g) => g['name']!);
    const middle = readReferenceCsv('vn-names/freq_middle_name_syllable.csv').filter((m) => m['name'] !== 'Văn' && m['name'] !== 'Thị');
    this.middleSyllables = new WeightedPicker(
      middle.map((m) => m['name']!),
      middle.map((m) => Number(m['count'])),
    );
  }

  familyName(random: SeededRandom): string {
    return this.family.pick(random);
  }

  /**
   * A name for a person of the given sex and birth year: children (born after 2005) get modern
   * compound given names more often and "Văn"/"Thị" less often than their parents did.
   */
  name(random: SeededRandom, sex: Sex, birthYear: number, family = this.familyName(random)): GeneratedName {
    const child = birthYear >= 2005;
    let middle: string;
    let given: string;
    if (random.chance(child ? 0.45 : 0.15)) {
      const compound = random.pick(sex === 'M' ? this.boysCompound : this.girlsCompound).split(' ');
      given = compound[compound.length - 1] as string;
      const first = compound.slice(0, -1).join(' ');
      const traditional = sex === 'F' ? 'Thị' : 'Văn';
      middle = random.chance(child ? 0.1 : 0.3) ? `${traditional} ${first}` : first;
    } else {
      given = (sex === 'M' ? this.boysGiven : this.girlsGiven).pick(random);
      const traditional = random.chance(sex === 'M' ? (child ? 0.15 : 0.5) : child ? 0.3 : 0.6);
      middle = traditional ? (sex === 'M' ? 'Văn' : 'Thị') : this.middleSyllables.pick(random);
      if (random.chance(0.08)) middle = `${middle} ${this.middleSyllables.pick(random)}`;
    }
    return { family, middle, given, full: [family, middle, given].filter(Boolean).join(' ') };
  }
}

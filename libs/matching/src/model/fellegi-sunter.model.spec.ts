import { SeededRandom } from '@childledger/random';
import { COMPARISONS, FIELD_COUNT, MISSING } from '../comparison/comparison-levels';
import { splitVietnameseName } from '../normalisation/vietnamese-text.normaliser';
import { FellegiSunterModel } from './fellegi-sunter.model';
import { NameFrequencyTable } from './name-frequency.table';

// Synthetic comparison vectors from the one seeded generator.
const rng = (seed: number): (() => number) => new SeededRandom(seed).asFunction();

function draw(random: () => number, probabilities: readonly number[]): number {
  let x = random();
  for (let i = 0; i < probabilities.length; i++) {
    x -= probabilities[i] ?? 0;
    if (x < 0) return i;
  }
  return probabilities.length - 1;
}

/** Vectors from a known mixture: matches drawn from trueM, non-matches from blockedU. */
function simulate(n: number, matchShare: number, trueM: number[][], blockedU: number[][], seed = 7): Int8Array {
  const random = rng(seed);
  const out = new Int8Array(n * FIELD_COUNT);
  for (let i = 0; i < n; i++) {
    const match = random() < matchShare;
    for (let f = 0; f < FIELD_COUNT; f++) {
      out[i * FIELD_COUNT + f] = random() < 0.1 && f > 1 ? MISSING : draw(random, (match ? trueM : blockedU)[f] as number[]);
    }
  }
  return out;
}

// True m: mostly the first (strongest) level. Blocked non-matches: agree on name or date sometimes.
const trueM = COMPARISONS.map((c) => c.levels.map((_, i) => (i === 0 ? 0.85 : 0.15 / (c.levels.length - 1))));
const blockedU = COMPARISONS.map((c) => c.levels.map((_, i) => (i === c.levels.length - 1 ? 0.6 : i === 0 ? 0.25 : 0.15 / (c.levels.length - 2))));

describe(FellegiSunterModel.name, () => {
  it('EM converges, its log-likelihood never decreases, and it recovers m of the strongest levels', () => {
    const model = FellegiSunterModel.withPriors();
    const fit = model.fitEm(simulate(20_000, 0.2, trueM, blockedU));
    expect(fit.converged).toBe(true);
    for (let i = 1; i < fit.logLikelihood.length; i++) {
      // Sessions restart the likelihood; within a session it must not fall.
      const prev = fit.logLikelihood[i - 1] as number;
      const cur = fit.logLikelihood[i] as number;
      if (Math.abs(cur - prev) < Math.abs(prev) * 0.5) expect(cur).toBeGreaterThanOrEqual(prev - 1e-6 * Math.abs(prev));
    }
    for (const c of COMPARISONS) {
      expect(model.parameters(c.field).m[0]).toBeGreaterThan(0.75);
      expect(model.parameters(c.field).m[0]).toBeLessThan(0.95);
    }
    // The match share among all pairs is found again (0.2 ± 0.05).
    expect(fit.lambda).toBeGreaterThan(0.15);
    expect(fit.lambda).toBeLessThan(0.25);
  });

  it('estimates u from random pairs with no zero probability', () => {
    const model = FellegiSunterModel.withPriors();
    model.estimateU(simulate(5_000, 0, trueM, blockedU));
    for (const c of COMPARISONS) {
      const { u } = model.parameters(c.field);
      expect(Math.min(...u)).toBeGreaterThan(0);
      expect(u.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  });

  it('saves to JSON and reloads to the same weights', () => {
    const model = FellegiSunterModel.withPriors().withFrequencies(
      NameFrequencyTable.fromCounts(
        1000,
        new Map([
          ['nguyen', 380],
          ['lo', 2],
        ]),
        new Map([
          ['anh', 30],
          ['xuyen', 2],
        ]),
      ),
    );
    model.setMatchPrior(900, 1000, 100_000);
    const copy = FellegiSunterModel.fromJson(JSON.parse(JSON.stringify(model.toJson())));
    const vector = Int8Array.from([0, 0, 0, MISSING, 0, 1, 3]);
    const name = splitVietnameseName('Lò Văn Xuyến');
    expect(copy.matchWeight(vector, name)).toBeCloseTo(model.matchWeight(vector, name), 9);
    expect(copy.priorBits).toBeCloseTo(model.priorBits, 9);
  });

  it('refuses a model file whose levels do not match the code', () => {
    const json = FellegiSunterModel.withPriors().toJson();
    const broken = { ...json, comparisons: json.comparisons.map((c) => (c.field === 'sex' ? { ...c, levels: c.levels.slice(0, 1) } : c)) };
    expect(() => FellegiSunterModel.fromJson(broken)).toThrow(/sex/);
  });

  it('weighs agreement on a rare name more than on a common one (term frequency)', () => {
    const model = FellegiSunterModel.withPriors().withFrequencies(
      NameFrequencyTable.fromCounts(
        10_000,
        new Map([
          ['nguyen', 3800],
          ['tran', 1100],
          ['lo', 5],
        ]),
        new Map([
          ['anh', 300],
          ['huy', 200],
          ['xuyen', 3],
        ]),
      ),
    );
    const exact = Int8Array.from([0, MISSING, MISSING, MISSING, MISSING, MISSING, MISSING]);
    const common = model.matchWeight(exact, splitVietnameseName('Nguyễn Văn Anh'));
    const rare = model.matchWeight(exact, splitVietnameseName('Lò Thị Xuyến'));
    expect(rare).toBeGreaterThan(common + 4);
  });
});

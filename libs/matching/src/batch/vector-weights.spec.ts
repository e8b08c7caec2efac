import { SeededRandom } from '@childledger/random';
import { COMPARISONS, FIELD_COUNT, MISSING } from '../comparison/comparison-levels';
import { candidateOdds } from '../engine/match.engine';
import { FellegiSunterModel } from '../model/fellegi-sunter.model';
import { NameFrequencyTable } from '../model/name-frequency.table';
import { splitNameByWords } from '../normalisation/word-cached.splitter';
import { VectorWeights } from './vector-weights';

describe(VectorWeights.name, () => {
  it('gives model.matchWeight and its odds for each vector of a record, computing each distinct one once', () => {
    const frequencies = NameFrequencyTable.fromCounts(
      1000,
      new Map([
        ['nguyen', 400],
        ['tran', 100],
      ]),
      new Map([
        ['an', 50],
        ['mai', 5],
      ]),
    );
    const model = FellegiSunterModel.withPriors().withFrequencies(frequencies);
    const weights = new VectorWeights(model);
    const rng = new SeededRandom(3).asFunction();
    const names = ['Nguyễn Văn An', 'Trần Thị Mai', 'Lê Hoa'].map(splitNameByWords);
    let vectors = 0;
    let differentByName = 0;
    for (const name of names) {
      weights.forRecord(name);
      const before = weights.computed;
      // 200 vectors from a few distinct ones (as a record's candidates), random levels, MISSING.
      const distinct = Array.from({ length: 6 }, () => COMPARISONS.map((c) => (rng() < 0.15 ? MISSING : Math.floor(rng() * c.levels.length))));
      const all = new Int8Array(200 * FIELD_COUNT);
      for (let p = 0; p < 200; p++) all.set(distinct[Math.floor(rng() * distinct.length)] as number[], p * FIELD_COUNT);
      for (let p = 0; p < 200; p++) {
        const expected = model.matchWeight(all.subarray(p * FIELD_COUNT, (p + 1) * FIELD_COUNT), name);
        expect(weights.weight(all, p)).toBe(expected);
        expect(weights.odds).toBe(candidateOdds(expected, model.priorBits));
        if (expected !== model.matchWeight(all.subarray(p * FIELD_COUNT, (p + 1) * FIELD_COUNT))) differentByName++;
        vectors++;
      }
      expect(weights.computed - before).toBeLessThanOrEqual(6);
    }
    expect(vectors).toBe(600);
    // The record's name weighs in (so a weight kept across records would be wrong).
    expect(differentByName).toBeGreaterThan(0);
  });

  it('computes a vector with a level beyond four bits every time, and the sum of any other once for all records', () => {
    const model = FellegiSunterModel.withPriors();
    const weights = new VectorWeights(model);
    const v = new Int8Array(FIELD_COUNT * 2);
    v[0] = 15;
    weights.forRecord(undefined);
    weights.weight(v, 0);
    weights.weight(v, 0);
    expect(weights.computed).toBe(2);
    weights.weight(v, 1);
    weights.weight(v, 1);
    expect(weights.computed).toBe(3);
    weights.forRecord(splitNameByWords('Nguyễn Văn An'));
    expect(weights.weight(v, 1)).toBe(model.matchWeight(v.subarray(FIELD_COUNT), splitNameByWords('Nguyễn Văn An')));
    expect(weights.computed).toBe(3);
  });
});

import { SeededRandom, WeightedPicker } from './seeded-random';

describe('SeededRandom (the one seeded generator)', () => {
  it('gives the same sequence for the same seed, and another for another seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('is mulberry32: the values the three copies it replaced drew (seed 1)', () => {
    const r = new SeededRandom(1);
    expect([r.next(), r.next(), r.next()].map((x) => x.toFixed(10))).toEqual(['0.6270739406', '0.0027357212', '0.5274470400']);
  });

  it('stays in [0, 1), int() in its bounds, and asFunction() continues the same stream', () => {
    const r = new SeededRandom(7);
    for (let i = 0; i < 2_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      const n = r.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
    const s = new SeededRandom(9);
    const t = new SeededRandom(9);
    const f = t.asFunction();
    expect([f(), f()]).toEqual([s.next(), s.next()]);
  });

  it('WeightedPicker draws in proportion to the weights, never a zero weight', () => {
    const picker = new WeightedPicker(['a', 'b', 'c'], [1, 3, 0]);
    const r = new SeededRandom(5);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 20_000; i++) counts[picker.pick(r) as 'a' | 'b' | 'c']++;
    expect(counts.c).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.7);
    expect(counts.b / counts.a).toBeLessThan(3.3);
  });
});

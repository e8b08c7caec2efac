import { SeededRandom } from '@childledger/random';
import { jaroWinkler } from './comparison-levels';
import { jaroWinklerBelow } from './jaro-winkler-bound';

describe(jaroWinklerBelow.name, () => {
  it('is true only when jaroWinkler is below the threshold, and true for most pairs of different names', () => {
    const family = ['nguyen', 'tran', 'le', 'pham', 'hoang', 'huynh', 'vu', 'vo', 'dang', 'bui', 'do', 'ho', 'ngo', 'duong', 'ly'];
    const middle = ['van', 'thi', 'duc', 'minh', 'ngoc', 'thanh', 'quoc', 'huu', 'kim', ''];
    const given = ['an', 'anh', 'binh', 'chi', 'dung', 'ha', 'hai', 'hoa', 'hung', 'lan', 'linh', 'mai', 'nam', 'phuong', 'tuan', 'yen'];
    const rng = new SeededRandom(11).asFunction();
    const pick = (xs: string[]) => xs[Math.floor(rng() * xs.length)] as string;
    const name = () => [pick(family), pick(middle), pick(given)].filter(Boolean).join(' ');
    // Typos of a name: a letter dropped, doubled or changed (close pairs, near the thresholds).
    const typo = (s: string) => {
      const i = Math.floor(rng() * s.length);
      const k = Math.floor(rng() * 3);
      return k === 0 ? s.slice(0, i) + s.slice(i + 1) : k === 1 ? s.slice(0, i) + (s[i] ?? '') + s.slice(i) : `${s.slice(0, i)}x${s.slice(i + 1)}`;
    };
    let below = 0;
    let pairs = 0;
    for (let k = 0; k < 20_000; k++) {
      const a = name();
      const b = k % 3 === 0 ? typo(a) : k % 3 === 1 ? typo(typo(a)) : name();
      for (const threshold of [0.7, 0.88, 0.94]) {
        pairs++;
        if (jaroWinklerBelow(a, b, threshold)) {
          below++;
          expect(jaroWinkler(a, b)).toBeLessThan(threshold);
        }
      }
    }
    // Non-ASCII code units share buckets with ASCII ones: still only ever an overestimate.
    for (const [a, b] of [
      ['nguyễn thị mai', 'nguyen thi mai'],
      ['đặng', 'dang'],
      ['', 'an'],
      ['an', 'an'],
    ] as const) {
      if (jaroWinklerBelow(a, b, 0.88)) expect(jaroWinkler(a, b)).toBeLessThan(0.88);
    }
    expect(jaroWinklerBelow('an', 'an', 1)).toBe(false);
    expect(below / pairs).toBeGreaterThan(0.2);
  });
});

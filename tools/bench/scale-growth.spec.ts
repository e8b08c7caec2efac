import { describeGrowth, extrapolateFigures, fitGrowth, fitThroughput, predict, secondsToProcess } from './scale-growth';

const at = (values: Record<number, number>) => Object.entries(values).map(([events, value]) => ({ events: Number(events), value }));

describe(fitGrowth.name, () => {
  it('reads a figure that stays put as constant, with noise', () => {
    const fit = fitGrowth(at({ 5e6: 10.2, 1e7: 9.6, 2e7: 10.4 }));
    expect(fit.model).toBe('constant');
    expect(predict(fit, 1e8)).toBeCloseTo(10.07, 1);
    expect(describeGrowth(fit)).toBe('does not grow with the log');
  });

  it('reads bytes that double with the log as linear and extrapolates them', () => {
    const fit = fitGrowth(at({ 5e6: 5e9, 1e7: 1e10, 2e7: 2e10 }));
    expect(fit.model).toBe('linear');
    expect(predict(fit, 1e8)).toBeCloseTo(1e11, -6);
  });

  it('reads a figure that gains the same amount per doubling as log n', () => {
    const fit = fitGrowth(at({ 5e6: 3, 1e7: 4, 2e7: 5 }));
    expect(fit.model).toBe('log');
    // 100 M is log2(5) ≈ 2.32 doublings beyond 20 M.
    expect(predict(fit, 1e8)).toBeCloseTo(5 + Math.log2(5), 5);
  });

  it('reads a falling figure as constant rather than extrapolating it below zero', () => {
    const fit = fitGrowth(at({ 5e4: 403, 1e5: 340, 2e5: 238 }));
    expect(fit.model).toBe('constant');
    expect(predict(fit, 1e8)).toBeCloseTo(327, 0);
  });

  it('fits a throughput by its time per event', () => {
    // 1 µs per event plus 1 µs per 10 M events already in the log.
    const rate = (n: number) => 1 / (1e-6 + n * 1e-13);
    const fit = fitThroughput(at({ 5e6: rate(5e6), 1e7: rate(1e7), 2e7: rate(2e7) }));
    expect(fit.model).toBe('linear');
    expect(predict(fit, 1e8)).toBeCloseTo(rate(1e8), 0);
    expect(describeGrowth(fit)).toBe('time per event grows linearly with the log');
    // ∫₀ᴺ (1 µs + n·10⁻¹³ s) dn = 100 s + 500 s for N = 100 M.
    expect(secondsToProcess(fit, 1e8)).toBeCloseTo(600, 0);
  });

  it('needs two sizes', () => {
    expect(() => fitGrowth(at({ 5e6: 1 }))).toThrow('two log sizes');
  });
});

describe(extrapolateFigures.name, () => {
  it('extrapolates each figure seen at two sizes, ignoring lines already extrapolated and figures seen once', () => {
    const lines = extrapolateFigures(
      [
        { bench: 'scale.disk.log', value: 680, unit: 'bytes/event', events: 1e6 },
        { bench: 'scale.rebuild.all', value: 4000, unit: 'events/s', events: 1e6 },
        { bench: 'scale.disk.log', value: 670, unit: 'bytes/event', events: 2e6 },
        { bench: 'scale.disk.log.at_100000000', value: 1, unit: 'bytes/event', events: 2e6, extrapolated: true },
        { bench: 'scale.catchup.all', value: 4000, unit: 'events/s', events: 2e6 },
        { bench: 'scale.catchup.all', value: 4000, unit: 'events/s', events: 5e6 },
      ],
      1e8,
    );
    expect(lines.map((l) => l['bench'])).toEqual(['scale.disk.log.at_100000000', 'scale.catchup.all.at_100000000']);
    expect(lines[0]).toMatchObject({ value: 675, model: 'constant' });
    // 100 M events at 4,000 events/s.
    expect(lines[1]).toMatchObject({ value: 4000, hours_for_whole_log: 6.94 });
  });
});

// How a figure measured at several log sizes grows, and what it would be at a larger size: the
// scale bench's extrapolation. Pure functions (scale-growth.spec.ts).

/** A figure at one log size. */
export interface SizePoint {
  events: number;
  value: number;
}

export type GrowthModel = 'constant' | 'log' | 'linear';

export interface GrowthFit {
  model: GrowthModel;
  /** value ≈ a + b·x, with x = 1 (constant), ln(events) (log) or events (linear). */
  a: number;
  b: number;
  /** Root-mean-square error of the fit relative to the mean value (0 = exact). */
  relativeError: number;
}

const X: Record<GrowthModel, (events: number) => number> = {
  constant: () => 0,
  log: (n) => Math.log(n),
  linear: (n) => n,
};

function fitOne(points: readonly SizePoint[], model: GrowthModel): GrowthFit {
  const xs = points.map((p) => X[model](p.events));
  const ys = points.map((p) => p.value);
  const n = points.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const sxy = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
  const b = model === 'constant' || sxx === 0 ? 0 : sxy / sxx;
  const a = my - b * mx;
  const rms = Math.sqrt(ys.reduce((s, y, i) => s + (y - (a + b * xs[i]!)) ** 2, 0) / n);
  return { model, a, b, relativeError: my === 0 ? rms : rms / Math.abs(my) };
}

/**
 * The simplest of constant, logarithmic and linear growth that fits the points about as well as
 * the best of them: its error within `tolerance` and at most twice the best one's (plus 1 %).
 * When none is within tolerance, the best. A figure that falls as the log grows is read as
 * constant (its mean): noise, or a cache warming up, not something to extrapolate to zero.
 * Needs two sizes at least.
 */
export function fitGrowth(points: readonly SizePoint[], tolerance = 0.1): GrowthFit {
  const sizes = new Set(points.map((p) => p.events));
  if (sizes.size < 2) throw new Error('fitGrowth: at least two log sizes are needed');
  const fits = (['constant', 'log', 'linear'] as const).map((m) => fitOne(points, m)).filter((f) => f.b >= 0);
  const best = fits.reduce((b, f) => (f.relativeError < b.relativeError ? f : b));
  const threshold = Math.min(tolerance, 2 * best.relativeError + 0.01);
  return fits.find((f) => f.relativeError <= threshold) ?? best;
}

/**
 * A throughput (events/s) is fitted as its inverse, the time per event, which is what grows; the
 * prediction is turned back into events/s.
 */
export function fitThroughput(points: readonly SizePoint[], tolerance = 0.1): GrowthFit & { inverse: true } {
  return {
    ...fitGrowth(
      points.map((p) => ({ events: p.events, value: 1 / p.value })),
      tolerance,
    ),
    inverse: true,
  };
}

export function predict(fit: GrowthFit & { inverse?: boolean }, events: number): number {
  if (fit.inverse) return 1 / (fit.a + fit.b * X[fit.model](events));
  return fit.a + fit.b * X[fit.model](events);
}

/**
 * For a throughput fit: the seconds to process a log of `events` from its first event, each
 * event at the time per event fitted for the log size it is added at (midpoint rule).
 */
export function secondsToProcess(fit: GrowthFit & { inverse: true }, events: number, steps = 1000): number {
  const width = events / steps;
  let total = 0;
  for (let i = 0; i < steps; i++) total += width / predict(fit, (i + 0.5) * width);
  return total;
}

/** How the model reads in the report. */
export function describeGrowth(fit: GrowthFit & { inverse?: boolean }): string {
  const what = fit.inverse ? 'time per event ' : '';
  if (fit.model === 'constant') return `${what}does not grow with the log`;
  if (fit.model === 'log') return `${what}grows with log n`;
  return `${what}grows linearly with the log`;
}

/** A figure line of the scale bench: its value at a log size. */
export interface SizedFigure {
  bench: string;
  value: number;
  unit: string;
  events: number;
  extrapolated?: boolean;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * One line per figure measured at two log sizes or more: its growth model and its value at `to`
 * events (for a throughput, also the hours to process a log of that size from its start).
 * Lines already extrapolated are ignored, so a run's output can be read back as it is.
 */
export function extrapolateFigures(figures: readonly SizedFigure[], to: number): Record<string, unknown>[] {
  const curves = new Map<string, { unit: string; points: SizePoint[] }>();
  for (const f of figures) {
    if (f.extrapolated || typeof f.events !== 'number' || typeof f.value !== 'number') continue;
    const curve = curves.get(f.bench) ?? { unit: f.unit, points: [] };
    curve.points.push({ events: f.events, value: f.value });
    curves.set(f.bench, curve);
  }
  const lines: Record<string, unknown>[] = [];
  for (const [bench, { unit, points }] of curves) {
    if (new Set(points.map((p) => p.events)).size < 2) continue;
    const throughput = unit === 'events/s' ? fitThroughput(points) : null;
    const fit = throughput ?? fitGrowth(points);
    lines.push({
      bench: `${bench}.at_${to}`,
      value: round(predict(fit, to), 2),
      unit,
      extrapolated: true,
      model: fit.model,
      growth: describeGrowth(fit),
      fit_error: round(fit.relativeError, 3),
      from: points.map((p) => [p.events, p.value]),
      ...(throughput ? { hours_for_whole_log: round(secondsToProcess(throughput, to) / 3600, 2) } : {}),
    });
  }
  return lines;
}

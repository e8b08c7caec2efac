/** One figure: `value` measured by the platform's code, `baseline` by the plainest code doing the same work in the same run. */
export interface BenchFigure {
  bench: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  [extra: string]: unknown;
}

export interface BenchContext {
  /** A fresh database on the bench server (owner role). */
  url: string;
  adminUrl: string;
  emit(figure: BenchFigure): void;
  log(message: string): void;
}

export interface BenchModule {
  run(ctx: BenchContext): Promise<void>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * A throughput figure against its baseline. For latencies (lower is better) pass
 * `lowerIsBetter`, so that the ratio still reads "≥ 1 is as good as the baseline".
 */
export function figure(bench: string, value: number, unit: string, baseline: number, extra: Record<string, unknown> = {}, lowerIsBetter = false): BenchFigure {
  const ratio = lowerIsBetter ? baseline / value : value / baseline;
  return { bench, value: round(value), unit, baseline: round(baseline), ratio: round(ratio, 3), ...extra };
}

/** Runs `workers` loops of `perWorker` timed operations; returns elapsed seconds and sorted latencies (ms). */
export async function timedWorkers(
  workers: number,
  perWorker: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < perWorker; i++) {
        const t0 = process.hrtime.bigint();
        await op(w, i);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  return { seconds, latencies };
}

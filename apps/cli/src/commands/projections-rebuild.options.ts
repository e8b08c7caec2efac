import type { Projection, RebuildProgress } from '@childledger/read-models';
import { projectionsNamed } from '@childledger/read-models';

/** `projections rebuild`'s options as commander hands them over (strings), before they are checked. */
export interface RebuildCommandInput {
  /** Positional names (`projections rebuild audit cases`). */
  names: readonly string[];
  /** `--projection <name>`, repeatable, each possibly comma-separated. */
  projection?: readonly string[];
  batchSize: string;
  lanes?: string;
  progressEvery: string;
  metricsPort?: string;
}

export interface RebuildCommandOptions {
  projections: Projection[];
  batchSize: number;
  /** Undefined: the rebuild's default (one lane per projection, at most three). */
  lanes?: number;
  progressEverySeconds: number;
  metricsPort?: number;
}

function positiveInteger(text: string, option: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1 || n > max) {
    throw new Error(`${option} must be a whole number from 1 to ${max}, not '${text}'`);
  }
  return n;
}

/** Checks every option before anything connects; the error names the option and the bad value. */
export function parseRebuildOptions(input: RebuildCommandInput): RebuildCommandOptions {
  const projections = projectionsNamed([...input.names, ...(input.projection ?? [])]);
  const batchSize = positiveInteger(input.batchSize, '--batch-size', 100_000);
  const lanes = input.lanes === undefined ? undefined : positiveInteger(input.lanes, '--lanes', 16);
  const progressEvery = Number(input.progressEvery);
  if (!Number.isFinite(progressEvery) || progressEvery <= 0)
    throw new Error(`--progress-every must be a number of seconds above 0, not '${input.progressEvery}'`);
  const metricsPort = input.metricsPort === undefined ? undefined : positiveInteger(input.metricsPort, '--metrics-port', 65_535);
  return { projections, batchSize, lanes, progressEverySeconds: progressEvery, metricsPort };
}

/** "1 h 02 min", "3 min 05 s", "42 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Progress lines an operator can read in a terminal or a log: events applied of the log's size
 * when it started, the rate over the last half minute, the time left at that rate and the clock
 * time it gives, and each projection's own count (lanes run a few pages apart). After the bulk,
 * which step runs (indexes, switch-over).
 */
export class RebuildProgressReporter {
  private readonly samples: { at: number; events: number }[] = [];
  private lastLine = -Infinity;
  private lastPhase: RebuildProgress['phase'];

  constructor(
    private readonly names: readonly string[],
    private total: number,
    private readonly write: (line: string) => void,
    private readonly everySeconds = 5,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The rate over the last WINDOW seconds of samples (events/s), or over everything when that is all there is. */
  rate(): number {
    const last = this.samples[this.samples.length - 1];
    const first = this.samples.find((s) => last !== undefined && last.at - s.at <= WINDOW_MS) ?? this.samples[0];
    if (!first || !last || last.at <= first.at) return 0;
    return ((last.events - first.events) * 1000) / (last.at - first.at);
  }

  update(p: RebuildProgress): void {
    const at = this.now();
    if (this.samples.length === 0) this.samples.push({ at: at - (p.seconds ?? 0) * 1000, events: 0 });
    this.samples.push({ at, events: p.events });
    while (this.samples.length > 2 && at - this.samples[1]!.at > WINDOW_MS) this.samples.shift();
    if (p.events > this.total) this.total = p.events;
    const phaseChanged = p.phase !== this.lastPhase && p.phase !== 'bulk';
    this.lastPhase = p.phase;
    if (!phaseChanged && at - this.lastLine < this.everySeconds * 1000) return;
    this.lastLine = at;
    this.write(this.line(p, at));
  }

  line(p: RebuildProgress, at = this.now()): string {
    const head = `rebuild ${this.names.join(', ')}`;
    const elapsed = formatDuration(p.seconds ?? 0);
    if (p.phase === 'indexes') return `${head}: ${count(p.events)} events applied in ${elapsed}; building indexes`;
    if (p.phase === 'switch-over') return `${head}: ${count(p.events)} events applied in ${elapsed}; switching over (applying what was appended meanwhile)`;
    if (p.phase === 'done') return `${head}: done, ${count(p.events)} events in ${elapsed}`;
    const rate = this.rate();
    const left = Math.max(0, this.total - p.events);
    const pct = this.total > 0 ? ((100 * p.events) / this.total).toFixed(1) : '100.0';
    const eta =
      rate > 0 ? `ETA ${formatDuration(left / rate)} (${new Date(at + (left / rate) * 1000).toISOString().slice(11, 19)} UTC)` : 'ETA unknown (no rate yet)';
    const per =
      p.perProjection && this.names.length > 1
        ? ` | ${Object.entries(p.perProjection)
            .map(([n, e]) => `${n} ${count(e)}`)
            .join(', ')}`
        : '';
    return `${head}: ${count(p.events)}/${count(this.total)} events (${pct} %), ${count(rate)} events/s, ${eta}, ${elapsed} so far${per}`;
  }
}
const WINDOW_MS = 30_000;

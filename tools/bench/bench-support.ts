import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { EventStore } from '@childledger/event-store';

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

/** CPU seconds a phase cost this process and the local PostgreSQL's processes, beside its wall time. */
export interface PhaseCpu {
  wall_s: number;
  node_cpu_s: number;
  /** Every process named `postgres` on this machine (the bench's embedded server's backends); null when /proc cannot tell. */
  pg_cpu_s: number | null;
  /** The same by kind of process: client backends, checkpointer, walwriter, exited (autovacuum and parallel workers)… */
  pg_cpu_by_kind: Record<string, number> | null;
}

/**
 * Runs `fn` and reports where its time went: wall seconds, this process's CPU seconds and the
 * local PostgreSQL's (summed over its processes from /proc, so only meaningful when the bench's
 * server runs on this machine, as the embedded one does). With BENCH_PROFILE_DIR set, the phase is
 * also profiled (V8's CPU profiler through the inspector) into `<dir>/<label>.cpuprofile`, which
 * `tools/bench/match-profile.ts` summarises: the profile covers this phase only, not the bench's
 * set-up.
 */
export async function measuredPhase<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpu: PhaseCpu }> {
  const dir = process.env['BENCH_PROFILE_DIR'];
  const session = dir ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const pg0 = postgresCpu();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  // Read before the profile is written (which costs time and CPU of its own); the profiler is stopped even when the phase fails.
  let done: { value: T; wall: number; cpu: NodeJS.CpuUsage; pg1: PostgresCpu | null };
  try {
    const value = await fn();
    done = { value, wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: process.cpuUsage(cpu0), pg1: postgresCpu() };
  } finally {
    if (session && dir) {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/${label}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    }
  }
  const { value, wall, cpu, pg1 } = done;
  const byKind = pg0 === null || pg1 === null ? null : postgresCpuBetween(pg0, pg1);
  return {
    value,
    seconds: wall,
    cpu: {
      wall_s: round(wall, 1),
      node_cpu_s: round((cpu.user + cpu.system) / 1e6, 1),
      pg_cpu_s:
        byKind === null
          ? null
          : round(
              Object.values(byKind).reduce((a, b) => a + b, 0),
              1,
            ),
      pg_cpu_by_kind:
        byKind === null
          ? null
          : Object.fromEntries(
              Object.entries(byKind)
                .map(([k, v]) => [k, round(v, 1)] as const)
                .filter(([, v]) => v !== 0),
            ),
    },
  };
}

/** Each live `postgres` process's CPU seconds and kind, and the postmaster's reaped children's (processes that ended). */
export interface PostgresCpu {
  processes: Map<string, { kind: string; seconds: number }>;
  reaped: number;
}

/**
 * CPU seconds of every process named `postgres` (from /proc: its title gives its kind, `postgres:
 * checkpointer`, `postgres: autovacuum worker`, a client backend…), and of those that ended (an
 * autovacuum worker, a parallel index build's workers, a closed connection), which the postmaster
 * counts as its reaped children's time.
 */
function postgresCpu(): PostgresCpu | null {
  const ticks = 100; // USER_HZ on Linux
  const processes = new Map<string, { kind: string; seconds: number }>();
  let reaped = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      let title: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      // utime, stime, cutime, cstime: fields 14 to 17 of proc(5).
      processes.set(pid, { kind: postgresKind(title), seconds: (Number(fields[11]) + Number(fields[12])) / ticks });
      reaped += (Number(fields[13]) + Number(fields[14])) / ticks;
    }
  } catch {
    return null;
  }
  return { processes, reaped };
}

/**
 * The CPU PostgreSQL spent between two readings, by kind of process. A process that ended in
 * between is counted, whole life, in the reaped time: what it had spent before the first reading
 * is taken off that (`exited`: the rest of the lives of the processes that ended, and the whole
 * of those that began and ended in between).
 */
export function postgresCpuBetween(before: PostgresCpu, after: PostgresCpu): Record<string, number> {
  const byKind: Record<string, number> = {};
  const put = (kind: string, seconds: number) => (byKind[kind] = (byKind[kind] ?? 0) + seconds);
  let ended = 0;
  for (const [pid, p] of after.processes) put(p.kind, p.seconds - (before.processes.get(pid)?.seconds ?? 0));
  for (const [pid, p] of before.processes) if (!after.processes.has(pid)) ended += p.seconds;
  put('exited', after.reaped - before.reaped - ended);
  return byKind;
}

export function postgresKind(title: string): string {
  const m =
    /^postgres: (checkpointer|background writer|walwriter|autovacuum launcher|autovacuum worker|logical replication launcher|io worker|parallel worker)/.exec(
      title,
    );
  if (m) return m[1]!.replaceAll(' ', '_');
  // The postmaster keeps its command line; a client backend's title names its database and role.
  return title.startsWith('postgres: ') ? 'backends' : 'postmaster';
}

/** Reads the log through the store's port from `after` to its end in pages of `pageSize`, nothing done with the events: the benches' baseline. Returns how many were read. */
export async function readWholeLog(store: EventStore, pageSize: number, after: string | null = null): Promise<number> {
  let n = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.events.length === 0) return n;
    n += page.events.length;
    after = page.checkpoint;
  }
}

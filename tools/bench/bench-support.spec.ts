import { measuredPhase, PostgresCpu, postgresCpuBetween, postgresKind } from './bench-support';

const reading = (processes: Record<string, [string, number]>, reaped: number): PostgresCpu => ({
  processes: new Map(Object.entries(processes).map(([pid, [kind, seconds]]) => [pid, { kind, seconds }])),
  reaped,
});

describe(postgresCpuBetween.name, () => {
  it('counts what each process spent between the readings, by kind', () => {
    const before = reading({ 10: ['postmaster', 1], 11: ['backends', 5], 12: ['backends', 2], 13: ['checkpointer', 0.5] }, 0);
    const after = reading({ 10: ['postmaster', 1.2], 11: ['backends', 9], 12: ['backends', 3], 13: ['checkpointer', 0.9] }, 0);
    expect(postgresCpuBetween(before, after)).toEqual({
      postmaster: expect.closeTo(0.2),
      backends: expect.closeTo(5),
      checkpointer: expect.closeTo(0.4),
      exited: 0,
    });
  });

  it('counts a process that ended by its reaped time less what it had spent before, not its whole life', () => {
    // Backend 11 had spent 5 s before the phase; it spent 3 more and ended: the postmaster reaped 8 s.
    const before = reading({ 10: ['postmaster', 1], 11: ['backends', 5] }, 0);
    const after = reading({ 10: ['postmaster', 1] }, 8);
    expect(postgresCpuBetween(before, after)).toEqual({ postmaster: 0, exited: 3 });
  });

  it('counts whole a process that began during the phase, and one that began and ended', () => {
    // A parallel worker began and ended (2 s reaped); a new backend is still there with 1.5 s.
    const before = reading({ 10: ['postmaster', 1] }, 4);
    const after = reading({ 10: ['postmaster', 1], 20: ['backends', 1.5] }, 6);
    expect(postgresCpuBetween(before, after)).toEqual({ postmaster: 0, backends: 1.5, exited: 2 });
  });
});

describe(postgresKind.name, () => {
  it('names background processes by their title and everything else as backends or the postmaster', () => {
    expect(postgresKind('postgres: checkpointer ')).toBe('checkpointer');
    expect(postgresKind('postgres: autovacuum worker bench')).toBe('autovacuum_worker');
    expect(postgresKind('postgres: bench_feed childledger_app 127.0.0.1(5000) idle')).toBe('backends');
    expect(postgresKind('/usr/lib/postgresql/18/bin/postgres -D /tmp/data')).toBe('postmaster');
  });
});

describe(measuredPhase.name, () => {
  it("returns the phase's value and counts its CPU", async () => {
    const { value, seconds, cpu } = await measuredPhase('spin', async () => {
      const until = process.cpuUsage().user + 150_000;
      while (process.cpuUsage().user < until) Math.sqrt(Math.random());
      return 42;
    });
    expect(value).toBe(42);
    expect(seconds).toBeGreaterThan(0);
    expect(cpu.node_cpu_s).toBeGreaterThanOrEqual(0.1);
  });
});

import { Command } from 'commander';
import { PROJECTIONS, RebuildProgress } from '@childledger/read-models';
import { formatDuration, parseRebuildOptions, RebuildProgressReporter } from './projections-rebuild.options';
import { registerProjectionsCommand } from './projections.command';

function program(): Command {
  const p = new Command().exitOverride();
  registerProjectionsCommand(p);
  return p;
}

const input = { names: [] as string[], batchSize: '5000', progressEvery: '5' };

describe('projections rebuild: options', () => {
  it('rebuilds every projection when none is named, in the projector order', () => {
    expect(parseRebuildOptions(input).projections.map((p) => p.name)).toEqual(PROJECTIONS.map((p) => p.name));
  });

  it('takes projections by --projection (repeated or comma-separated) and as arguments, once each', () => {
    const opts = parseRebuildOptions({ ...input, names: ['audit'], projection: ['indicators,cases', 'audit'], lanes: '2', batchSize: '2000' });
    expect(opts.projections.map((p) => p.name)).toEqual(['cases', 'audit', 'indicators']);
    expect(opts).toMatchObject({ lanes: 2, batchSize: 2000, progressEverySeconds: 5 });
  });

  it.each([
    [{ projection: ['audit', 'adults'] }, 'unknown projection adults (known: children, cases, audit, indicators, child-search)'],
    [{ names: ['audits', 'case'] }, 'unknown projections audits, case'],
    [{ lanes: '0' }, "--lanes must be a whole number from 1 to 16, not '0'"],
    [{ lanes: 'two' }, "--lanes must be a whole number from 1 to 16, not 'two'"],
    [{ batchSize: '1.5' }, "--batch-size must be a whole number from 1 to 100000, not '1.5'"],
    [{ batchSize: '-5' }, '--batch-size must be a whole number'],
    [{ progressEvery: '0' }, "--progress-every must be a number of seconds above 0, not '0'"],
    [{ metricsPort: '70000' }, "--metrics-port must be a whole number from 1 to 65535, not '70000'"],
  ])('refuses %j, naming what is wrong', (bad, message) => {
    expect(() => parseRebuildOptions({ ...input, ...bad })).toThrow(message);
  });

  it('fails on bad input before connecting to anything', async () => {
    await expect(program().parseAsync(['node', 'cli', 'projections', 'rebuild', '--projection', 'nope'])).rejects.toThrow('unknown projection nope');
    await expect(program().parseAsync(['node', 'cli', 'projections', 'rebuild', 'audit', '--lanes', '-1'])).rejects.toThrow('--lanes must be a whole number');
  });
});

describe(RebuildProgressReporter.name, () => {
  const at = (events: number, seconds: number, extra: Partial<RebuildProgress> = {}): RebuildProgress => ({
    events,
    checkpoint: null,
    seconds,
    phase: 'bulk',
    ...extra,
  });

  it('prints the count, the rate, the time left and when it ends, at most every few seconds', () => {
    let now = Date.parse('2026-12-03T14:00:00Z');
    const lines: string[] = [];
    const r = new RebuildProgressReporter(
      ['audit', 'cases'],
      1_000_000,
      (l) => lines.push(l),
      5,
      () => now,
    );
    now += 2_000;
    r.update(at(50_000, 2, { perProjection: { audit: 55_000, cases: 50_000 } }));
    now += 1_000;
    r.update(at(75_000, 3));
    now += 7_000;
    r.update(at(250_000, 10, { perProjection: { audit: 260_000, cases: 250_000 } }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'rebuild audit, cases: 50,000/1,000,000 events (5.0 %), 25,000 events/s, ETA 38 s (14:00:40 UTC), 2 s so far | audit 55,000, cases 50,000',
    );
    // 250,000 in 10 s: 25,000 events/s, 750,000 left: 30 s.
    expect(lines[1]).toBe(
      'rebuild audit, cases: 250,000/1,000,000 events (25.0 %), 25,000 events/s, ETA 30 s (14:00:40 UTC), 10 s so far | audit 260,000, cases 250,000',
    );
  });

  it('reads the rate over the last half minute, so the ETA follows a lane that slows down', () => {
    let now = 0;
    const r = new RebuildProgressReporter(
      ['indicators'],
      10_000_000,
      () => undefined,
      5,
      () => now,
    );
    for (let s = 1; s <= 60; s++) {
      now = s * 1000;
      // 100,000 events/s for 30 s, then 10,000 events/s.
      r.update(at(s <= 30 ? s * 100_000 : 3_000_000 + (s - 30) * 10_000, s));
    }
    expect(Math.round(r.rate())).toBe(10_000);
  });

  it('says which step runs after the bulk', () => {
    const lines: string[] = [];
    const r = new RebuildProgressReporter(
      ['audit'],
      10,
      (l) => lines.push(l),
      60,
      () => 0,
    );
    r.update(at(10, 1));
    r.update(at(10, 2, { phase: 'indexes' }));
    r.update(at(10, 65, { phase: 'switch-over' }));
    r.update(at(12, 66, { phase: 'done' }));
    expect(lines.slice(1)).toEqual([
      'rebuild audit: 10 events applied in 2 s; building indexes',
      'rebuild audit: 10 events applied in 1 min 05 s; switching over (applying what was appended meanwhile)',
      'rebuild audit: done, 12 events in 1 min 06 s',
    ]);
  });

  it('formats durations an operator reads at a glance', () => {
    expect([formatDuration(42.4), formatDuration(185), formatDuration(3725)]).toEqual(['42 s', '3 min 05 s', '1 h 02 min']);
  });
});

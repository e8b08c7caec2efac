import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'csv-parse/sync';
// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { generateScenario, writeRecordsCsv, writeResidentsCsv } from '@childledger/testing';
import { registerMatchCommand } from './match.command';

jest.setTimeout(240_000);

function program(): Command {
  const p = new Command().exitOverride();
  registerMatchCommand(p);
  return p;
}

describe('cli match --partition province', () => {
  let dir: string;
  let residents: string;
  let records: string;
  let refs: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-match-'));
    const scenario = generateScenario({ seed: 2718, households: 900, records: 400, communes: 24 });
    residents = join(dir, 'residents.csv');
    records = join(dir, 'records.csv');
    refs = scenario.records.map((r) => r.record_ref);
    await writeResidentsCsv(residents, scenario.residents);
    await writeRecordsCsv(records, scenario.records);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterAll(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  const base = () => ['node', 'cli', 'match', '--residents', residents, '--records', records, '--workers', '1'];

  it('runs the steps one by one (split, each partition by index, merge) as the Kubernetes Jobs do, and all at once, with the same links', async () => {
    const work = join(dir, 'steps');
    const out = join(dir, 'steps.csv');
    await program().parseAsync([...base(), '--out', out, '--partition', 'province', '--work-dir', work, '--step', 'split']);
    const plan = JSON.parse(readFileSync(join(work, 'partitions.json'), 'utf8')) as { partitions: unknown[] };
    expect(plan.partitions.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < plan.partitions.length; i++) {
      process.env['JOB_COMPLETION_INDEX'] = String(i);
      await program().parseAsync([...base(), '--out', out, '--partition', 'province', '--work-dir', work, '--step', 'partition']);
    }
    // An index past the last partition (an Indexed Job with spare completions) does nothing.
    await program().parseAsync([...base(), '--out', out, '--partition', 'province', '--work-dir', work, '--step', 'partition', '--partition-index', '99']);
    delete process.env['JOB_COMPLETION_INDEX'];
    await program().parseAsync([...base(), '--out', out, '--partition', 'province', '--work-dir', work, '--step', 'merge']);
    const steps = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(steps.map((l) => l['record_ref'])).toEqual(refs);

    const allOut = join(dir, 'all.csv');
    await program().parseAsync([...base(), '--out', allOut, '--partition', 'province', '--work-dir', join(dir, 'all'), '--model', join(work, 'model.json')]);
    const all = parse(readFileSync(allOut, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(all.map((l) => [l['record_ref'], l['decision'], l['personal_id']])).toEqual(steps.map((l) => [l['record_ref'], l['decision'], l['personal_id']]));
    expect(all.filter((l) => l['decision'] === 'linked').length).toBeGreaterThan(250);
  });

  it('rejects an unknown partitioning, step or index, naming the option', async () => {
    const out = join(dir, 'x.csv');
    await expect(program().parseAsync([...base(), '--out', out, '--partition', 'district'])).rejects.toThrow(/--partition: only 'province'/);
    await expect(program().parseAsync([...base(), '--out', out, '--partition', 'province', '--step', 'reduce'])).rejects.toThrow(/--step: one of/);
    await expect(program().parseAsync([...base(), '--out', out, '--workers', '0'])).rejects.toThrow(/--workers/);
    await expect(
      program().parseAsync([
        ...base(),
        '--out',
        out,
        '--partition',
        'province',
        '--work-dir',
        join(dir, 'steps'),
        '--step',
        'partition',
        '--partition-index',
        '-1',
      ]),
    ).rejects.toThrow(/--partition-index/);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { generateScenario, writeRecordsCsv, writeResidentsCsv } from '@childledger/testing';

const root = path.resolve(__dirname, '../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(root, 'apps/cli/src/main.ts'), ...args], { cwd: root, encoding: 'utf8' });

describe('npm run cli -- match', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cl-match-'));
  const residents = path.join(dir, 'residents.csv');
  const records = path.join(dir, 'records.csv');
  const out = path.join(dir, 'links.csv');
  let refs: string[];

  beforeAll(async () => {
    const scenario = generateScenario({ seed: 11, households: 800, records: 200 });
    await writeResidentsCsv(residents, scenario.residents);
    await writeRecordsCsv(records, scenario.records, { vietnameseHeaders: true });
    refs = parse(readFileSync(records, 'utf8'), { bom: true, from_line: 2 }).map((r: string[]) => r[0]!);
  });

  it('writes every input record exactly once with a decision, and prints a summary', () => {
    const run = cli('match', '--residents', residents, '--records', records, '--out', out);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/linked \d+, review \d+, no_match \d+/);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as { record_ref: string; decision: string; personal_id: string }[];
    expect(rows.map((r) => r.record_ref).sort()).toEqual([...refs].sort());
    expect(new Set(rows.map((r) => r.decision))).toEqual(new Set(['linked', 'review', 'no_match']));
    for (const r of rows) if (r.decision === 'no_match') expect(r.personal_id).toBe('');
  });

  it('names the bad option and writes nothing when an input is missing', () => {
    const run = cli('match', '--residents', path.join(dir, 'missing.csv'), '--records', records, '--out', path.join(dir, 'never.csv'));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('--residents: cannot read');
    expect(() => readFileSync(path.join(dir, 'never.csv'))).toThrow();
  });
});

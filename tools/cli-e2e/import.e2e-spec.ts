import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { parse } from 'csv-parse/sync';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { generateScenario, writeRecordsCsv } from '@childledger/testing';
import { runCli } from './run-cli';

const cli = runCli;

describe('npm run cli -- import', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cl-import-'));
  const records = path.join(dir, 'records.csv');
  const report = path.join(dir, 'problems.csv');
  let db: TestDatabase;
  let owner: Pool;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    owner = createPool(db.url, { role: null, max: 1 });
    env = {
      DATABASE_URL: db.url,
      CHILDLEDGER_KEK: randomBytes(32).toString('base64'),
      CHILDLEDGER_DEDUPE_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
    };
    const scenario = generateScenario({ seed: 5, households: 400, records: 300 });
    await writeRecordsCsv(records, scenario.records, { vietnameseHeaders: true });
  });
  afterAll(async () => {
    await owner.end();
    await db.drop();
  });

  const events = async () => Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);

  it('imports a noisy generated file, reports the rejected rows, and writes nothing the second time', async () => {
    const first = await cli(env, 'import', records, '--report', report);
    expect(first.status).toBe(0);
    const result = JSON.parse(first.stdout.trim()) as { status: string; rows: { read: number; imported: number; alreadyImported: number; rejected: number } };
    expect(result.status).toBe('completed');
    expect(result.rows.read).toBe(300);
    expect(result.rows.imported + result.rows.rejected).toBe(300);
    expect(result.rows.imported).toBeGreaterThan(150);
    expect(first.stderr).toMatch(/imported \d+, already imported 0, rejected \d+/);
    const problems = parse(readFileSync(report, 'utf8'), { columns: true }) as { kind: string; row: string; column: string; reason: string }[];
    expect(problems.filter((p) => p.kind === 'rejected').length).toBeGreaterThanOrEqual(result.rows.rejected);
    expect(problems.every((p) => Number(p.row) >= 2 && p.reason !== '')).toBe(true);
    const written = await events();
    const { rows } = await owner.query<{ actor: { userId: string; role: string } }>("SELECT metadata->'actor' AS actor FROM events LIMIT 1");
    expect(rows[0]!.actor).toMatchObject({ userId: expect.stringMatching(/^cli:/), role: 'admin' });

    const second = await cli(env, 'import', records);
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout.trim())).toMatchObject({ rows: { imported: 0, alreadyImported: result.rows.imported, rejected: result.rows.rejected } });
    expect(await events()).toBe(written);
  });

  it('narrows the jurisdiction with --role and --commune', async () => {
    const officerReport = path.join(dir, 'officer.csv');
    const run = await cli(
      env,
      'import',
      records,
      '--role',
      'data_officer',
      '--province',
      '01',
      '--commune',
      '00004',
      '--user',
      'officer-7',
      '--report',
      officerReport,
    );
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout.trim()) as { rows: { imported: number; rejected: number } };
    // The generated children live in other communes: none is the officer's to register.
    expect(result.rows.imported).toBe(0);
    const problems = parse(readFileSync(officerReport, 'utf8'), { columns: true }) as { code: string }[];
    expect(problems.some((p) => p.code === 'OUTSIDE_JURISDICTION')).toBe(true);
  });

  it('fails with a message for a file it cannot read', async () => {
    const run = await cli(env, 'import', path.join(dir, 'missing.csv'));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cannot read');
  });
});

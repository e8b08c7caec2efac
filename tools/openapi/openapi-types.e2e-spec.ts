import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { TEST_ADMIN_URL_VARIABLE } from '@childledger/database';

const ROOT = path.resolve(__dirname, '../..');

describe("the console's typed API client", () => {
  it('matches the OpenAPI documents the services serve today (a changed API fails here until `npm run openapi` is run)', () => {
    const run = spawnSync(process.execPath, ['-r', './tools/register.js', 'tools/openapi/generate.ts', '--check'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: process.env[TEST_ADMIN_URL_VARIABLE] },
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect({ status: run.status, stderr: run.stderr.split('\n').filter((l) => /stale|failed/.test(l)) }).toEqual({ status: 0, stderr: [] });
    expect(run.stdout).toContain("the console's API types match");
  }, 180_000);
});

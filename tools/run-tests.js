#!/usr/bin/env node
// `npm test`: every tier this machine can run, in one jest run against one database server.
// Prints jest's report, names what was skipped and why, and ends with `N passed, N failed, N skipped`.
// Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'childledger-jest-')), 'report.json');
const args = process.argv.slice(2);
const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest', { paths: [root] }), '--json', `--outputFile=${report}`, ...args], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});

let summary = { passed: 0, failed: 0, skipped: 0 };
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  // A suite that failed to load counts as a failure even though none of its tests ran.
  const brokenSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  summary = {
    passed: r.numPassedTests,
    failed: r.numFailedTests + brokenSuites,
    skipped: r.numPendingTests + r.numTodoTests,
  };
  const skipped = r.testResults.flatMap((s) => s.assertionResults.filter((a) => a.status === 'pending').map((a) => a.fullName));
  if (skipped.length > 0) {
    process.stdout.write(`\nSkipped (${skipped.length}):\n${skipped.map((n) => `  - ${n}`).join('\n')}\n`);
  }
} else {
  summary.failed = 1;
}
if (process.env.CHILDLEDGER_TEST_SUMMARY) fs.writeFileSync(process.env.CHILDLEDGER_TEST_SUMMARY, JSON.stringify(summary));
process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`);
process.exit(result.status === 0 && summary.failed === 0 ? 0 : 1);

import { spawn } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** Runs `npm run cli -- ARGS` as its own process (as an operator would), with `env` over this process's environment. */
export function runCli(env: Record<string, string>, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(root, 'apps/cli/src/main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

export interface StartProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Resolves once every service is up ("Press Ctrl-C to stop."); rejects if it exits first. */
  ready: Promise<void>;
}

/** `npm start` (tools/start.ts) in its own process, for tests: the environment given on top of this one. */
export function spawnNpmStart(env: NodeJS.ProcessEnv): StartProcess {
  let output = '';
  const child = spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(root, 'tools/start.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Press Ctrl-C to stop.')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output, ready };
}

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

export interface SpawnNpmStartOptions {
  /**
   * Its own process group, as a terminal runs it: `process.kill(-child.pid, 'SIGINT')` is then a
   * Ctrl-C, which reaches the launcher and every service process at once.
   */
  detached?: boolean;
}

/** `npm start` (tools/start.ts) in its own process, for tests: the environment given on top of this one. */
export function spawnNpmStart(env: NodeJS.ProcessEnv, options: SpawnNpmStartOptions = {}): StartProcess {
  let output = '';
  const child = spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(root, 'tools/start.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
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

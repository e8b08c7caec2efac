// The console's static build, made when it is missing or older than its sources (npm start calls
// ensureConsoleBuild; `nx run console:build` or `node -r ./tools/register.js apps/console/server/build.ts --force`).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');
/** The static build (vite's outDir); the console's server is built beside it, in dist/apps/console. */
export const CONSOLE_DIST = path.join(WORKSPACE_ROOT, 'dist/apps/console/static');
const CONSOLE_ROOT = path.join(WORKSPACE_ROOT, 'apps/console');
const STAMP = path.join(CONSOLE_DIST, '.build-hash');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

/** A hash of everything the build reads: the console's sources, its build config and the lockfile. */
export function consoleSourceHash(): string {
  const inputs = [
    ...files(path.join(CONSOLE_ROOT, 'src')).filter((f) => !/\.spec\.tsx?$/.test(f)),
    path.join(CONSOLE_ROOT, 'index.html'),
    path.join(CONSOLE_ROOT, 'vite.config.mts'),
    path.join(WORKSPACE_ROOT, 'package-lock.json'),
  ].sort();
  const hash = createHash('sha256');
  for (const f of inputs) hash.update(path.relative(WORKSPACE_ROOT, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return hash.digest('hex');
}

/** Why the build must be made again, or null when the one in dist/ is current. */
export function staleReason(): string | null {
  if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) return 'no build yet';
  if (!fs.existsSync(STAMP) || fs.readFileSync(STAMP, 'utf8').trim() !== consoleSourceHash()) return 'sources changed since the last build';
  return null;
}

export async function buildConsole(): Promise<void> {
  const hash = consoleSourceHash();
  const vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [WORKSPACE_ROOT] })), 'bin/vite.js');
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', path.join(CONSOLE_ROOT, 'vite.config.mts')], {
      cwd: WORKSPACE_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Always the production build (jest sets NODE_ENV=test, which would bundle React's development code).
      env: { ...process.env, NODE_ENV: 'production' },
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`the console's build failed (vite exited with ${code}):\n${output}`);
  fs.writeFileSync(STAMP, `${hash}\n`);
}

/** Builds the console when its build is missing or stale; says what it did. */
export async function ensureConsoleBuild(say: (message: string) => void): Promise<void> {
  const reason = staleReason();
  if (!reason) return;
  say(`console: building the web application (${reason})`);
  const started = Date.now();
  await buildConsole();
  say(`console: built in ${((Date.now() - started) / 1000).toFixed(0)} s into ${path.relative(WORKSPACE_ROOT, CONSOLE_DIST)}`);
}

if (require.main === module) {
  const force = process.argv.includes('--force');
  (force ? buildConsole() : ensureConsoleBuild((m) => process.stdout.write(`${m}\n`))).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

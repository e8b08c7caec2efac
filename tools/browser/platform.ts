import { createTestDatabase, freePort, TestDatabase } from '@childledger/database';
import { ensureConsoleBuild } from '../../apps/console/server/build';
import { spawnNpmStart } from '../start-process';

export interface RunningPlatform {
  consoleUrl: string;
  registryUrl: string;
  queryUrl: string;
  issuerUrl: string;
  output(): string;
  stop(): Promise<void>;
}

const PORTS = [
  'REGISTRY_API_PORT',
  'PROJECTOR_PORT',
  'QUERY_API_PORT',
  'LOG_SEALER_PORT',
  'SANDBOX_PORT',
  'IDENTITY_ADAPTER_PORT',
  'STREAM_GATEWAY_PORT',
  'DEV_ISSUER_PORT',
  'CONSOLE_PORT',
] as const;

/**
 * `npm start` as a user runs it (tools/start.ts in its own process: the development issuer's
 * OpenID provider is an ES module that jest's sandbox cannot load), on the test run's database
 * server with a fresh database and a free port for every service; `env` adds settings (e.g. the
 * sandbox's residents file).
 */
export async function startPlatform(env: Record<string, string> = {}): Promise<RunningPlatform> {
  // Built here, once, so that the platform's start is not timed with the build.
  await ensureConsoleBuild((m) => process.stderr.write(`[browser] ${m}\n`));
  const db: TestDatabase = await createTestDatabase();
  const ports = Object.fromEntries(await Promise.all(PORTS.map(async (p) => [p, String(await freePort())] as const))) as Record<(typeof PORTS)[number], string>;
  const start = spawnNpmStart({ ...ports, DATABASE_URL: db.url, LOG_LEVEL: 'warn', ...env });
  const { child } = start;
  await start.ready;
  const output = start.output();
  const consoleLine = /console\s+(http:\/\/\S+)/.exec(output);
  if (!consoleLine) throw new Error(`npm start printed no console URL:\n${output}`);
  return {
    consoleUrl: consoleLine[1]!,
    registryUrl: `http://127.0.0.1:${ports.REGISTRY_API_PORT}`,
    queryUrl: `http://127.0.0.1:${ports.QUERY_API_PORT}`,
    issuerUrl: `http://127.0.0.1:${ports.DEV_ISSUER_PORT}`,
    output: start.output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await db.drop();
    },
  };
}

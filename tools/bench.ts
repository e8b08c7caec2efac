// `npm run bench -- NAME [NAME...]`: runs tools/bench/NAME.bench.ts against a fresh embedded
// PostgreSQL (durable settings: fsync and synchronous_commit on) or DATABASE_URL, and prints one
// JSON line per figure on stdout: {"bench","value","unit","baseline","ratio",...}. Progress on stderr.
import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { dropDatabase, ensureDatabase, startDatabaseServer } from '@childledger/database';
import type { BenchContext, BenchModule } from './bench/bench-support';

async function main(): Promise<void> {
  const available = readdirSync(path.join(__dirname, 'bench'))
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace('.bench.ts', ''));
  const names = process.argv.slice(2);
  if (names.length === 0 || names.some((n) => !available.includes(n))) {
    process.stderr.write(`usage: npm run bench -- NAME [NAME...]\navailable: ${available.join(', ')}\n`);
    process.exit(2);
  }
  const server = await startDatabaseServer({
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    ephemeral: true,
    settings: { max_connections: 200, shared_buffers: '512MB' },
  });
  process.stderr.write(`[bench] database: ${server.embedded ? 'embedded PostgreSQL (fsync on)' : 'DATABASE_URL'}\n`);
  try {
    for (const name of names) {
      const mod = (await import(path.join(__dirname, 'bench', `${name}.bench.ts`))) as BenchModule;
      const dbName = `bench_${name.replace(/\W/g, '_')}_${Date.now()}`;
      const url = await ensureDatabase(server.adminUrl, dbName);
      const ctx: BenchContext = {
        url,
        adminUrl: server.adminUrl,
        emit: (figure) => process.stdout.write(`${JSON.stringify(figure)}\n`),
        log: (m) => process.stderr.write(`[bench ${name}] ${m}\n`),
      };
      await mod.run(ctx);
      await dropDatabase(server.adminUrl, dbName);
    }
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

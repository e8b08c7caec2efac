// `npm run bench -- commands`: registry commands over HTTP and the bulk import, each against the
// plainest code doing the same work in the same run.
//  - commands.register.16c: RegisterChild over HTTP (autocannon, 16 connections) through the whole
//    stack (JWT, validation, jurisdiction, decider, encryption of personal data, append); baseline:
//    the event store's own single-event append with 16 concurrent writers.
//  - commands.import.100k: a 100,000-row child-records CSV through POST /api/v1/imports; baseline:
//    the same file parsed with csv-parse and inserted as rows by plain INSERTs through `pg`.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { parse } from 'csv-parse';
import { createPool, runMigrations } from '@childledger/database';
import { createPostgresEventStore } from '@childledger/event-store';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { generateScenario, writeRecordsCsv } from '@childledger/testing';
import { BenchContext, figure, percentile, round, timedWorkers } from './bench-support';

const CONNECTIONS = 16;
const WARMUP_SECONDS = 3;
const DURATION_SECONDS = 20;
const BASELINE_PER_WRITER = 500;
const IMPORT_ROWS = 100_000;
const root = path.resolve(__dirname, '..', '..');

function registration(): Record<string, unknown> {
  return {
    fullName: 'Nguyễn Thị Thu Hà',
    dateOfBirth: '2016-03-14',
    sex: 'F',
    personalId: '001316012345',
    residence: { communeCode: '00004', effectiveFrom: '2025-09-01' },
    motherName: 'Trần Thị Lan',
    fatherName: 'Nguyễn Văn Minh',
  };
}

async function startServer(url: string, kek: string): Promise<{ child: ChildProcess; base: string; tokens: Record<string, string> }> {
  const child = spawn(process.execPath, ['-r', path.join(root, 'tools/register.js'), path.join(__dirname, 'registry-api.server.ts')], {
    cwd: root,
    env: { ...process.env, BENCH_DATABASE_URL: url, CHILDLEDGER_KEK: kek, CHILDLEDGER_DEDUPE_KEY: randomBytes(32).toString('base64') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`registry API exited with ${code}`)));
  });
  const { port, tokens } = JSON.parse(line) as { port: number; tokens: Record<string, string> };
  return { child, base: `http://127.0.0.1:${port}/api/v1`, tokens };
}

function load(base: string, token: string, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${base}/children`,
    connections: CONNECTIONS,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(registration()),
  });
}

export async function run(ctx: BenchContext): Promise<void> {
  await runMigrations(ctx.url, ALL_MIGRATIONS);
  const owner = createPool(ctx.url, { role: null, max: 2 });
  const kek = randomBytes(32).toString('base64');

  // 1. Baseline: the store's single-event append, 16 writers, each event a new child stream.
  ctx.log(`store single appends: ${CONNECTIONS} writers × ${BASELINE_PER_WRITER}`);
  const pool = createPool(ctx.url, { max: CONNECTIONS + 2 });
  const store = createPostgresEventStore({ pool });
  const appended = await timedWorkers(CONNECTIONS, BASELINE_PER_WRITER, async () => {
    const childId = randomUUID();
    await store.append(
      `child-${childId}`,
      [
        {
          id: randomUUID(),
          type: 'ChildRegistered',
          data: { childId, ...registration() },
          metadata: { actor: { userId: 'bench', role: 'data_officer', unit: '00004' }, correlationId: randomUUID() },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
  });
  await store.close();
  await pool.end();
  const storeRate = (CONNECTIONS * BASELINE_PER_WRITER) / appended.seconds;
  const storeP99 = percentile(appended.latencies, 99);

  // 2. RegisterChild over HTTP.
  const server = await startServer(ctx.url, kek);
  try {
    ctx.log(`RegisterChild over HTTP: ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up, ${DURATION_SECONDS} s measured`);
    const officer = server.tokens['communeOfficer'] ?? '';
    await load(server.base, officer, WARMUP_SECONDS);
    const result = await load(server.base, officer, DURATION_SECONDS);
    if (result.non2xx > 0 || result.errors > 0) ctx.log(`WARNING: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    const commands = result.requests.total / (result.duration || DURATION_SECONDS);
    ctx.emit(
      figure('commands.register.16c', commands, 'commands/s', storeRate, {
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        baselineP99: round(storeP99),
      }),
    );
    ctx.emit(figure('commands.register.16c.p99', result.latency.p99, 'ms', storeP99, {}, true));

    // 3. Import of a 100,000-row file over HTTP.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cl-bench-import-'));
    const file = path.join(dir, 'records.csv');
    ctx.log(`generating ${IMPORT_ROWS} child records`);
    const scenario = generateScenario({ seed: 2025, households: Math.ceil(IMPORT_ROWS / 3), records: IMPORT_ROWS, referenceYear: 2025 });
    await writeRecordsCsv(file, scenario.records, { vietnameseHeaders: true });
    const size = (await stat(file)).size;
    ctx.log(`importing ${IMPORT_ROWS} rows (${(size / 2 ** 20).toFixed(1)} MiB) through POST /imports`);
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${server.base}/imports?fileName=records.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${server.tokens['admin']}` },
      body: await readFile(file),
    });
    const report = (await res.json()) as { status: string; rows: { read: number; imported: number; alreadyImported: number; rejected: number } };
    const importSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (res.status !== 201) throw new Error(`import answered ${res.status}: ${JSON.stringify(report)}`);

    // Baseline: parse the same file and insert its rows as they are, 500 per INSERT.
    await owner.query('CREATE TABLE import_raw (row_number integer PRIMARY KEY, cells jsonb NOT NULL)');
    const t1 = process.hrtime.bigint();
    let batch: unknown[][] = [];
    let n = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const params: unknown[] = [];
      const values = batch.map((cells) => {
        params.push(++n, JSON.stringify(cells));
        return `($${params.length - 1}, $${params.length})`;
      });
      await owner.query(`INSERT INTO import_raw (row_number, cells) VALUES ${values.join(', ')}`, params);
      batch = [];
    };
    for await (const record of createReadStream(file).pipe(parse({ bom: true, from_line: 2, relax_column_count: true }))) {
      batch.push(record as unknown[]);
      if (batch.length === 500) await flush();
    }
    await flush();
    const rawSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
    ctx.emit(
      figure('commands.import.100k', report.rows.read / importSeconds, 'rows/s', n / rawSeconds, {
        rows: report.rows.read,
        imported: report.rows.imported,
        rejected: report.rows.rejected,
        seconds: round(importSeconds, 1),
      }),
    );
    await rm(dir, { recursive: true, force: true });
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    await owner.end();
  }
}

// Child process of `npm run bench -- match`: runs one offline match (or only parses both files, the
// baseline) in a fresh process, so that its peak memory is its own. Prints one JSON line.
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parse } from 'csv-parse';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { adminUnitLookupFor, matchFiles } from '@childledger/matching';

async function countRows(path: string): Promise<number> {
  let n = 0;
  for await (const _row of createReadStream(path, { highWaterMark: 1 << 20 }).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }))) n++;
  return n - 1;
}

async function main(): Promise<void> {
  const [mode, residentsPath, recordsPath, outPath, truthPath] = process.argv.slice(2) as [string, string, string, string, string];
  const started = Date.now();
  if (mode === 'parse') {
    const [residents, records] = await Promise.all([countRows(residentsPath), countRows(recordsPath)]);
    process.stdout.write(`${JSON.stringify({ residents, records, durationMs: Date.now() - started, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
    return;
  }
  const truth = new Map<string, string>();
  let header = true;
  for await (const row of createReadStream(truthPath).pipe(parse({ bom: true })) as AsyncIterable<string[]>) {
    if (header) header = false;
    else truth.set(row[0] ?? '', row[1] ?? '');
  }
  // MATCH_BENCH_WORKERS: threads scanning the residents (default: one per core; 1 = in the main thread).
  const workers = Number(process.env['MATCH_BENCH_WORKERS'] ?? availableParallelism());
  const summary = await matchFiles({
    residentsPath,
    recordsPath,
    outPath,
    adminUnits: adminUnitLookupFor(loadAdministrativeUnits()),
    groundTruth: truth,
    workers,
    workerAdminUnits: 'national',
  });
  process.stdout.write(`${JSON.stringify({ ...summary, wallMs: Date.now() - started, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

import { access, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import {
  adminUnitLookupFor,
  matchFiles,
  matchPartition,
  matchPartitioned,
  mergePartitions,
  readPlan,
  splitByProvince,
  type MatchModelJson,
  MatchProgress,
} from '@childledger/matching';

const PHASES: Record<MatchProgress['phase'], string> = {
  records: 'reading child records',
  residents: 'streaming residents',
  training: 'fitting the model',
  deciding: 'deciding',
};

const STEPS = ['all', 'split', 'partition', 'merge'] as const;
type Step = (typeof STEPS)[number];

interface MatchOptions {
  residents: string;
  records: string;
  out: string;
  saveModel?: string;
  model?: string;
  workers: string;
  partition?: string;
  workDir?: string;
  step: string;
  partitionIndex?: string;
}

/**
 * `match --residents FILE --records FILE --out FILE`: offline linkage of child records to residents.
 * `--partition province` splits both files by province and runs the partitions, a cross-province
 * pass and the merge (docs/matching.md, "Partitions"); `--step` runs one of them, as the Kubernetes
 * Jobs of deploy/k8s/base/jobs do (`--step partition` takes its index from JOB_COMPLETION_INDEX).
 */
export function registerMatchCommand(program: Command): void {
  program
    .command('match')
    .description('link child records to national residents (formats: shared docs formats.md); progress on stderr, summary at the end')
    .requiredOption('--residents <file>', 'residents CSV (national population database extract)')
    .requiredOption('--records <file>', 'child records CSV')
    .requiredOption('--out <file>', 'links CSV to write (every record exactly once)')
    .option('--save-model <file>', 'save the fitted model (JSON) to reuse it')
    .option('--model <file>', 'use a saved model instead of fitting one (with --partition: its name frequencies too)')
    .option('--workers <n>', 'threads scanning the residents file (default: one per core)', String(availableParallelism()))
    .option('--partition <by>', "split by 'province' and merge the partitions' links")
    .option('--work-dir <dir>', 'with --partition: where the partition files, the plan and the model go (default: OUT.partitions)')
    .option('--step <step>', `with --partition: ${STEPS.join(' | ')}`, 'all')
    .option('--partition-index <n>', 'with --step partition: which partition (default: $JOB_COMPLETION_INDEX)')
    .action(async (opts: MatchOptions) => {
      for (const [flag, file] of [
        ['--residents', opts.residents],
        ['--records', opts.records],
        ...(opts.model ? ([['--model', opts.model]] as const) : []),
      ] as const) {
        await access(file).catch(() => {
          throw new Error(`${flag}: cannot read ${file}`);
        });
      }
      const workers = Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers: must be a whole number ≥ 1');
      const model = opts.model ? (JSON.parse(await readFile(opts.model, 'utf8')) as MatchModelJson) : undefined;
      const adminUnits = adminUnitLookupFor(loadAdministrativeUnits());
      if (opts.partition !== undefined) {
        if (opts.partition !== 'province') throw new Error("--partition: only 'province' is supported");
        if (!(STEPS as readonly string[]).includes(opts.step)) throw new Error(`--step: one of ${STEPS.join(', ')}`);
        await runPartitioned(opts, opts.step as Step, { adminUnits, workers, workerAdminUnits: 'national' as const }, model);
        return;
      }
      const bar = new SingleBar({ format: '{phase} [{bar}] {percentage}% {value}/{total}', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
      let phase: MatchProgress['phase'] | undefined;
      const onProgress = (p: MatchProgress) => {
        if (p.phase !== phase) {
          if (phase) bar.stop();
          phase = p.phase;
          bar.start(p.total ?? p.done, p.done, { phase: PHASES[p.phase].padEnd(22) });
        }
        if (p.total !== undefined) bar.setTotal(p.total);
        bar.update(p.done);
      };
      const summary = await matchFiles({
        residentsPath: opts.residents,
        recordsPath: opts.records,
        outPath: opts.out,
        saveModelPath: opts.saveModel,
        model,
        adminUnits,
        workers,
        workerAdminUnits: 'national',
        onProgress: process.stderr.isTTY ? onProgress : undefined,
      });
      if (phase) bar.stop();
      const { decisions } = summary;
      process.stderr.write(
        [
          '',
          `records ${summary.records} (unreadable ${summary.unreadableRecords}), residents ${summary.residents} (unreadable ${summary.unreadableResidents})`,
          `linked ${decisions.linked}, review ${decisions.review}, no_match ${decisions.no_match}`,
          `candidate pairs ${summary.candidatePairs} (${summary.pairsPerRecord.toFixed(1)} per record)`,
          `time ${(summary.durationMs / 1000).toFixed(1)} s, peak memory ${(summary.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${summary.workers} thread(s)`,
          `links written to ${opts.out}`,
          '',
        ].join('\n'),
      );
    });
}

async function runPartitioned(
  opts: MatchOptions,
  step: Step,
  options: { adminUnits: ReturnType<typeof adminUnitLookupFor>; workers: number; workerAdminUnits: 'national' },
  model: MatchModelJson | undefined,
): Promise<void> {
  const workDir = opts.workDir ?? `${opts.out}.partitions`;
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (step === 'all') {
    const run = await matchPartitioned({ ...options, residentsPath: opts.residents, recordsPath: opts.records, outPath: opts.out, workDir, model });
    say(
      `split into ${run.plan.partitions.length} province(s) in ${seconds(run.splitMs)}; ${run.plan.unplacedRecords} record(s) with no single province, ${run.plan.exposedRecords} with a candidate in another province`,
    );
    for (const p of run.partitions) say(`partition ${p.name}: ${p.records} records × ${p.residents} residents in ${seconds(p.durationMs)}`);
    say(
      `cross-province pass: ${run.merge.crossProvinceRecords} record(s) against all residents (${run.merge.linkedButExposed} linked in their partition with a candidate in another province) in ${seconds(run.merge.cross.durationMs)}; merge ${seconds(run.mergeMs)}`,
    );
    say(`linked ${run.merge.decisions['linked'] ?? 0}, review ${run.merge.decisions['review'] ?? 0}, no_match ${run.merge.decisions['no_match'] ?? 0}`);
    say(`time ${seconds(run.durationMs)}; links written to ${opts.out}`);
    return;
  }
  if (step === 'split') {
    const plan = await splitByProvince({ ...options, residentsPath: opts.residents, recordsPath: opts.records, workDir, model });
    say(
      `split into ${plan.partitions.length} province(s) in ${workDir}: run --step partition with --partition-index 0–${plan.partitions.length - 1}; ${plan.exposedRecords} record(s) with a candidate in another province go to the cross pass`,
    );
    return;
  }
  const plan = await readPlan(workDir);
  if (step === 'partition') {
    const raw = opts.partitionIndex ?? process.env['JOB_COMPLETION_INDEX'];
    const index = Number(raw);
    if (raw === undefined || !Number.isInteger(index) || index < 0) throw new Error('--partition-index: a whole number ≥ 0 (or JOB_COMPLETION_INDEX)');
    // An Indexed Job may have more completions than there are provinces: the extra pods do nothing.
    if (index >= plan.partitions.length) {
      say(`partition index ${index}: no such partition (${plan.partitions.length}); nothing to do`);
      return;
    }
    const s = await matchPartition(plan, index, options);
    say(
      `partition ${plan.partitions[index]?.name}: ${s.records} records × ${s.residents} residents in ${seconds(s.durationMs)}, peak ${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    return;
  }
  const merge = await mergePartitions(plan, opts.out, workDir, options);
  say(
    `cross-province pass: ${merge.crossProvinceRecords} record(s) against all residents (${merge.linkedButExposed} linked in their partition with a candidate in another province) in ${seconds(merge.cross.durationMs)}`,
  );
  say(
    `linked ${merge.decisions['linked'] ?? 0}, review ${merge.decisions['review'] ?? 0}, no_match ${merge.decisions['no_match'] ?? 0}; links written to ${opts.out}`,
  );
}

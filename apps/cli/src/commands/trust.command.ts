import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createPool } from '@childledger/database';
import { MissingEventStoreCapabilityError } from '@childledger/event-store';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import {
  databaseLogSource,
  exportLog,
  fileLogSource,
  InclusionProof,
  SealedCheckpoint,
  SealKey,
  trustedSealKeys,
  TrustedSealKeyError,
  verifyInclusionProof,
  verifyLog,
  VerificationReport,
} from '@childledger/trust';
import { openCommandDatabase, startDevelopmentKeys } from './command-database';

interface KeyOptions {
  publicKey?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * The keys to trust: --public-key (`<base64>` or, for a retired key, `<base64>@<last seq it signed>`),
 * else the configured seal key, else npm start's development key (with a note).
 */
function trustedKeys(opts: KeyOptions, config: PlatformConfig) {
  if (opts.publicKey?.length) {
    try {
      return trustedSealKeys(opts.publicKey);
    } catch (err) {
      // Names the --public-key by its place and the rule, never the value (docs/trust.md).
      if (err instanceof TrustedSealKeyError) throw new Error(`--public-key: ${err.message.replace(/^entry (\d+)/, 'value $1')}`);
      throw err;
    }
  }
  if (config.CHILDLEDGER_SEAL_KEY) {
    process.stderr.write('trusting the public key of CHILDLEDGER_SEAL_KEY (an inspector passes --public-key instead)\n');
    return trustedSealKeys([SealKey.fromBase64Seed(config.CHILDLEDGER_SEAL_KEY).publicKeyBase64]);
  }
  const dev = startDevelopmentKeys(config);
  const seed = dev.keys.CHILDLEDGER_SEAL_KEY;
  if (seed) {
    process.stderr.write(`trusting the development seal key of npm start (${dev.file}); pass --public-key to trust another\n`);
    return trustedSealKeys([SealKey.fromBase64Seed(seed).publicKeyBase64]);
  }
  throw new Error('no public key to trust: pass --public-key BASE64 (docs/trust.md, GET /api/v1/trust/seal-keys)');
}

function printReport(report: VerificationReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines = [`events ${report.events}, checkpoints ${report.checkpoints}, sealed ${report.sealed}, not yet sealed ${report.unsealed}`];
  if (report.ok) lines.push('OK: the chain and every checkpoint signature verify');
  else {
    const first = report.problems[0]!;
    lines.push(`FAILED at seq ${first.seq ?? '?'}${first.position ? `, position ${first.position}` : ''}: ${first.message}`);
    for (const p of report.problems.slice(1)) lines.push(`  also: ${p.message}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * The log is read from PostgreSQL's `events` table, which only the PostgreSQL backend has (the port's
 * `stored-log` capability): on EventStoreDB the command refuses, naming the capability, instead of
 * reading an empty table and reporting OK.
 */
function requireStoredLog(config: PlatformConfig, command: string): void {
  if (config.EVENT_STORE_BACKEND !== 'postgres') throw new MissingEventStoreCapabilityError('stored-log', config.EVENT_STORE_BACKEND, command);
}

/** `verify-log`, `export-log FILE`, `verify-proof FILE`: the inspector's tools (docs/trust.md). */
export function registerTrustCommands(program: Command): void {
  program
    .command('verify-log')
    .description('recompute the hash chain of the event log and check every signed checkpoint; exits 1 naming the first position that differs')
    .option('--file <export>', 'verify an export (export-log) instead of the database')
    .option('--database-url <url>', 'database to verify (default: DATABASE_URL, or the running npm start)')
    .option(
      '--public-key <base64[@lastSeq]>',
      'trusted Ed25519 public key (repeatable; all keys that signed checkpoints); a retired key as <base64>@<last seq it signed> is refused for any later checkpoint',
      collect,
    )
    .option('--checkpoint <file>', 'a checkpoint (JSON, from GET /trust/checkpoints/latest) kept earlier: it must still be in the log', collect)
    .option('--json', 'print the report as JSON')
    .action(async (opts: KeyOptions & { file?: string; databaseUrl?: string; checkpoint?: string[]; json?: boolean }) => {
      const config = loadConfig(PlatformConfig);
      const keys = trustedKeys(opts, config);
      const expected = (opts.checkpoint ?? []).map((f) => JSON.parse(readFileSync(f, 'utf8')) as SealedCheckpoint);
      let report: VerificationReport;
      if (opts.file) {
        report = await verifyLog(fileLogSource(resolve(opts.file)), keys, { expected });
      } else {
        requireStoredLog(config, 'verify-log');
        const db = await openCommandDatabase(opts.databaseUrl, config, 'log_chain');
        const pool = createPool(db.url, { max: 2, role: null });
        try {
          report = await verifyLog(databaseLogSource(pool), keys, { expected });
        } finally {
          await pool.end();
          await db.stop();
        }
      }
      printReport(report, Boolean(opts.json));
      process.exitCode = report.ok ? 0 : 1;
    });

  program
    .command('export-log')
    .description('write the event log as stored (personal data encrypted), its chain and its checkpoints to a JSON-lines file for verify-log --file')
    .argument('<file>', 'file to write (mode 0600)')
    .option('--database-url <url>', 'database to export (default: DATABASE_URL, or the running npm start)')
    .action(async (file: string, opts: { databaseUrl?: string }) => {
      const config = loadConfig(PlatformConfig);
      requireStoredLog(config, 'export-log');
      const db = await openCommandDatabase(opts.databaseUrl, config, 'log_chain');
      const pool = createPool(db.url, { max: 2, role: null });
      try {
        const out = await exportLog(pool, resolve(file));
        process.stdout.write(`exported ${out.entries} events and ${out.checkpoints} checkpoints to ${file}\n`);
      } finally {
        await pool.end();
        await db.stop();
      }
    });

  program
    .command('verify-proof')
    .description('check an inclusion proof (GET /api/v1/trust/proofs/:eventId) against a trusted public key')
    .argument('<file>', 'the proof (JSON)')
    .option('--public-key <base64[@lastSeq]>', 'trusted Ed25519 public key (repeatable); a retired key as <base64>@<last seq it signed>', collect)
    .action(async (file: string, opts: KeyOptions) => {
      const config = loadConfig(PlatformConfig);
      const keys = trustedKeys(opts, config);
      const proof = JSON.parse(readFileSync(file, 'utf8')) as InclusionProof;
      const result = verifyInclusionProof(proof, keys);
      process.stdout.write(
        result.ok
          ? `OK: event ${proof.record.eventId} (position ${proof.record.position}, seq ${proof.seq}) is covered by the checkpoint at seq ${proof.checkpoint.seq} signed ${proof.checkpoint.sealedAt} by ${proof.checkpoint.keyId}\n`
          : `FAILED: ${result.reason}\n`,
      );
      process.exitCode = result.ok ? 0 : 1;
    });
}

import type { Command } from 'commander';
import { createPool } from '@childledger/database';
import { DeadLetter, PgDeadLetterStore } from '@childledger/event-store';
import { loadConfig, PlatformConfig } from '@childledger/platform';
import { openCommandDatabase } from './command-database';

function describe(letters: DeadLetter[]): string {
  if (letters.length === 0) return '(no dead letters)\n';
  const lines = [['id', 'subscription', 'status', 'event type', 'revision', 'position', 'attempts', 'first failed', 'error'].join('\t')];
  for (const d of letters) {
    lines.push([d.id, d.subscription, d.status, d.eventType, d.revision, d.position, d.attempts, d.firstFailedAt.toISOString(), d.error].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

async function withStore<T>(databaseUrl: string | undefined, work: (store: PgDeadLetterStore) => Promise<T>): Promise<T> {
  const config = loadConfig(PlatformConfig);
  const db = await openCommandDatabase(databaseUrl, config, 'subscription_dead_letters');
  const pool = createPool(db.url, { max: 1 });
  try {
    return await work(new PgDeadLetterStore(pool));
  } finally {
    await pool.end();
    await db.stop();
  }
}

/**
 * `dead-letters list|retry|skip`: events a subscription gave up on after its retries (and those
 * parked behind them). The running subscription applies what is retried (docs/runbooks/dead-letters.md).
 */
export function registerDeadLettersCommand(program: Command): void {
  const dl = program.command('dead-letters').description('events subscriptions could not apply: list them, retry them after a fix, or skip them');

  dl.command('list')
    .description('unresolved dead letters (no event data: subscription, event type, position, error)')
    .option('--subscription <name>', 'only this subscription (e.g. projection:children, partner-outbox:moh, identity-adapter, erasure-completer)')
    .option('--all', 'include resolved ones (applied, skipped)')
    .option('--json', 'print JSON lines')
    .option('--database-url <url>', 'database (default: DATABASE_URL, or the running npm start)')
    .action(async (opts: { subscription?: string; all?: boolean; json?: boolean; databaseUrl?: string }) => {
      const letters = await withStore(opts.databaseUrl, (s) => s.list({ subscription: opts.subscription, includeResolved: opts.all }));
      process.stdout.write(opts.json ? letters.map((l) => `${JSON.stringify({ ...l, streamId: undefined })}\n`).join('') : describe(letters));
    });

  dl.command('retry')
    .description('queue a dead letter (and what is parked behind it in its stream) to be applied again by the running subscription')
    .argument('[id]', 'the dead letter id (from list)')
    .option('--subscription <name>', 'instead of an id: every unresolved dead letter of this subscription')
    .option('--database-url <url>', 'database (default: DATABASE_URL, or the running npm start)')
    .action(async (id: string | undefined, opts: { subscription?: string; databaseUrl?: string }) => {
      if (!id && !opts.subscription) throw new Error('retry needs a dead letter id or --subscription <name>');
      if (id && !/^\d{1,18}$/.test(id)) throw new Error('id must be a dead letter id (a whole number, from dead-letters list)');
      const queued = await withStore(opts.databaseUrl, (s) => (id ? s.requestRetry(id) : s.requestRetryAll(opts.subscription!)));
      if (queued === 0) throw new Error(id ? `dead letter ${id} is unknown or already resolved` : `no unresolved dead letter for ${opts.subscription}`);
      process.stdout.write(
        `queued ${queued} dead letter(s) for a retry; the running subscription applies them within seconds (check with dead-letters list --all)\n`,
      );
    });

  dl.command('skip')
    .description('give up on a dead letter for good; what is parked behind it in its stream is queued for a retry')
    .argument('<id>', 'the dead letter id (from list)')
    .option('--database-url <url>', 'database (default: DATABASE_URL, or the running npm start)')
    .action(async (id: string, opts: { databaseUrl?: string }) => {
      if (!/^\d{1,18}$/.test(id)) throw new Error('id must be a dead letter id (a whole number, from dead-letters list)');
      const result = await withStore(opts.databaseUrl, (s) => s.skip(id));
      if (!result.skipped) throw new Error(`dead letter ${id} is unknown or already resolved`);
      process.stdout.write(`skipped dead letter ${id}; ${result.requeued} parked behind it queued for a retry\n`);
    });
}

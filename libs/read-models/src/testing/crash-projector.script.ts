// The projector's subscriptions run as a child process by the crash-and-compare test, killed with
// SIGKILL at random moments and restarted. Each projection's apply pauses a little between its
// statements (CRASH_PAUSE_MS) so that kills land inside batches, not only between them.
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { createPool } from '@childledger/database';
import { createPostgresEventStore } from '@childledger/event-store';
import type { Projection } from '../projection';
import { PROJECTIONS } from '../projections';
import { ProjectionRunner } from '../projection-runner';
import { UnitResolver } from '../unit-resolver';

async function main(): Promise<void> {
  const url = process.env['CRASH_DATABASE_URL'];
  if (!url) throw new Error('CRASH_DATABASE_URL is required');
  const pause = Number(process.env['CRASH_PAUSE_MS'] ?? '3');
  const pool = createPool(url, { max: 6 });
  const store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
  const slow: Projection[] = PROJECTIONS.map((p) => ({
    ...p,
    apply: async (events, tx, ctx) => {
      await new Promise((r) => setTimeout(r, Math.random() * pause));
      await p.apply(events, tx, ctx);
      await new Promise((r) => setTimeout(r, Math.random() * pause));
    },
  }));
  const runner = new ProjectionRunner({
    store,
    pool,
    projections: slow,
    units: new UnitResolver(loadAdministrativeUnits()),
    batchSize: 40,
    retryDelayMs: 50,
    onError: (name, err) => process.stderr.write(`${name}: ${String(err)}\n`),
  });
  await runner.start();
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});

// A projector-like subscriber run as a child process by the crash test: applies each batch
// (one row per event, slowly, so that a kill can land mid-batch) and saves the checkpoint in
// the same transaction. Killed with SIGKILL at random moments, then restarted.
import { createPool, withTransaction } from '@childledger/database';
import { PgCheckpointStore, PostgresEventStore } from './index';

const NAME = 'crash-test';

async function main(): Promise<void> {
  const url = process.env['CRASH_DATABASE_URL'];
  const prefix = process.env['CRASH_STREAM_PREFIX'];
  if (!url || !prefix) throw new Error('CRASH_DATABASE_URL and CRASH_STREAM_PREFIX are required');
  const pool = createPool(url, { max: 4 });
  const store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
  const checkpoints = new PgCheckpointStore(pool);
  const after = await checkpoints.load(NAME);
  const sub = store.subscribe({
    name: NAME,
    after,
    batchSize: 37,
    filter: { streamPrefixes: [prefix] },
    handler: (events, checkpoint) =>
      withTransaction(pool, async (client) => {
        for (const [i, e] of events.entries()) {
          await client.query('INSERT INTO crash_effects (event_id, stream_id, revision) VALUES ($1, $2, $3)', [e.id, e.streamId, e.revision]);
          if (i % 10 === 9) await new Promise((r) => setTimeout(r, 2));
        }
        await checkpoints.save(NAME, checkpoint, client);
      }),
  });
  process.stdout.write('ready\n');
  await sub.done;
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});

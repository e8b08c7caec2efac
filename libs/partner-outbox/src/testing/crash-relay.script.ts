// The gateway's relay path as a child process for the crash test: the partner's projection
// (event store → outbox) and its relay (outbox → a file sink, checkpoint after the ack), both
// running. The test kills it with SIGKILL at random moments and restarts it. With
// CRASH_LEASED=1 the relay runs under a lease (as the gateway runs it), so several of these
// processes may run at once as replicas: it prints `active` when it takes the lease.
import { createPool, LeaseKeeper } from '@childledger/database';
import { createPostgresEventStore } from '@childledger/event-store';
import { PartnerProjector, PartnerRelay, parseAgreement, Pseudonymiser } from '@childledger/partner-streams';
import { OutboxSignal, PgPartnerFeed } from '../pg-partner-feed';
import { PgPartnerProjection } from '../pg-partner-projection';
import { runLeasedRelay } from '../leased-relay';
import { PgRelayCheckpoints } from '../pg-relay-checkpoints';
import { FileSink } from './file-sink';

async function main(): Promise<void> {
  const url = process.env['CRASH_DATABASE_URL'];
  const out = process.env['CRASH_SINK_FILE'];
  const agreementJson = process.env['CRASH_AGREEMENT'];
  if (!url || !out || !agreementJson) throw new Error('CRASH_DATABASE_URL, CRASH_SINK_FILE and CRASH_AGREEMENT are required');
  const agreement = parseAgreement(JSON.parse(agreementJson));
  const pool = createPool(url, { max: 6 });
  const store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
  const signal = new OutboxSignal();
  const projector = new PartnerProjector(agreement, new Pseudonymiser('crash-test-secret-000000'), (c) => c.slice(0, 2));
  const projection = new PgPartnerProjection(pool, store, projector, { batchSize: 23, signal });
  const sub = await projection.start();
  const relay = () =>
    new PartnerRelay(
      new PgPartnerFeed(pool, signal, 50),
      new FileSink(out, { delayBeforeAckMs: () => Math.floor(Math.random() * 6) }),
      new PgRelayCheckpoints(pool),
      {
        partnerId: agreement.id,
        batchSize: 17,
        idleWaitMs: 50,
      },
    );
  if (process.env['CRASH_LEASED'] === '1') {
    const leases = new LeaseKeeper(pool, { retryMs: 50, heartbeatMs: 200 });
    runLeasedRelay(leases, `partner-relay:${agreement.id}`, relay, { onActive: () => process.stdout.write('active\n') });
  } else {
    relay().start();
  }
  process.stdout.write('ready\n');
  await sub.done;
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});

import type { LeaseKeeper } from '@childledger/database';
import type { PartnerRelay } from '@childledger/partner-streams';

/** A relay that runs only while this replica holds its lease. */
export interface LeasedRelay {
  readonly name: string;
  stop(): Promise<void>;
}

/**
 * One active relay per partner channel across gateway replicas: the relay named `name` runs only
 * while this process holds the lease of that name (`LeaseKeeper`); the other replicas wait as
 * standbys and one of them takes over when the holder dies or loses its database connection. Each
 * time the lease is taken a fresh relay is created (`create`), which starts from the stored
 * checkpoint, so what the previous holder sent but did not checkpoint is sent again (at least
 * once, in order). Two relays of one stream overlap only while a holder that lost its connection
 * has not yet noticed (its connection's error, or one heartbeat) and finishes the batch in flight.
 */
export function runLeasedRelay(
  leases: LeaseKeeper,
  name: string,
  create: () => PartnerRelay,
  hooks: { onStandby?: () => void; onActive?: () => void } = {},
): LeasedRelay {
  const stop = new AbortController();
  const done = leases.runWhileHeld(
    name,
    stop.signal,
    async (signal) => {
      const relay = create();
      hooks.onActive?.();
      relay.start();
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      await relay.stop();
    },
    hooks.onStandby,
  );
  return {
    name,
    async stop() {
      stop.abort();
      await done;
    },
  };
}

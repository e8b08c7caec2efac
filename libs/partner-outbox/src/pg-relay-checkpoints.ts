import type { Pool } from 'pg';
import { PgCheckpointStore } from '@childledger/event-store';
import type { RelayCheckpoints } from '@childledger/partner-streams';

/** Checkpoint name of a partner's Kafka relay (its position in the partner's outbox). */
export const kafkaRelayName = (partnerId: string): string => `partner-relay:${partnerId}:kafka`;

/** Relay checkpoints (outbox sequences) in the platform's `subscription_checkpoints`. */
export class PgRelayCheckpoints implements RelayCheckpoints {
  private readonly store: PgCheckpointStore;
  constructor(pool: Pool) {
    this.store = new PgCheckpointStore(pool);
  }
  load(name: string): Promise<string | null> {
    return this.store.load(name);
  }
  save(name: string, position: string): Promise<void> {
    return this.store.save(name, position);
  }
}

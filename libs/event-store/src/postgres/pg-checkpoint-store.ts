import type { ClientBase, Pool } from 'pg';
import type { Checkpoint } from '../event-store.port';

/**
 * Subscription checkpoints in PostgreSQL. Consumers that write to the same database save the
 * checkpoint on the same client, inside the transaction that applies the batch, so a crash
 * leaves both or neither.
 */
export class PgCheckpointStore {
  constructor(private readonly pool: Pool) {}

  async load(name: string, client: ClientBase | Pool = this.pool): Promise<Checkpoint | null> {
    const res = await client.query<{ checkpoint: string }>('SELECT checkpoint FROM subscription_checkpoints WHERE subscription_name = $1', [name]);
    return res.rows[0]?.checkpoint ?? null;
  }

  async save(name: string, checkpoint: Checkpoint, client: ClientBase | Pool = this.pool): Promise<void> {
    await client.query(
      `INSERT INTO subscription_checkpoints (subscription_name, checkpoint) VALUES ($1, $2)
       ON CONFLICT (subscription_name) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = now()`,
      [name, checkpoint],
    );
  }
}

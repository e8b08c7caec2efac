import type { Pool, PoolClient } from 'pg';
import type { Checkpoint, EventStore, RecordedEvent, Subscription } from '@childledger/event-store';
import { parseCheckpoint, PgCheckpointStore } from '@childledger/event-store';
import { liveTables, Projection, ProjectionContext } from './projection';
import type { UnitResolver } from './unit-resolver';

/** The checkpoint row a projection's subscription keeps in `subscription_checkpoints`. */
export const checkpointName = (projection: string): string => `projection:${projection}`;
/** The stored checkpoint for "from the start" (the store reads `0:0` as its start). */
export const START_CHECKPOINT = '0:0';

/** Another writer moved the checkpoint (a rebuild's switch-over, a second projector): this batch must not commit. */
export class CheckpointMovedError extends Error {
  constructor(
    readonly projection: string,
    readonly expected: string,
    readonly found: string | null,
  ) {
    super(`checkpoint of ${projection} moved from ${expected} to ${found}; restarting from the stored one`);
    this.name = 'CheckpointMovedError';
  }
}

export interface AppliedBatch {
  projection: string;
  events: number;
  checkpoint: Checkpoint;
  /** The last event's recording time: lag = now − this. */
  lastRecordedAt: Date;
}

export interface ProjectionRunnerOptions {
  store: EventStore;
  /** Pool of the read-model database (the application role is enough). */
  pool: Pool;
  projections: readonly Projection[];
  units: UnitResolver;
  batchSize?: number;
  onBatch?: (batch: AppliedBatch) => void;
  onError?: (projection: string, err: unknown) => void;
  /** Wait before resubscribing after an error. */
  retryDelayMs?: number;
}

/**
 * Runs one subscription per projection. Each batch is applied in one transaction that first
 * locks the projection's checkpoint row and checks it is still where this subscription left it
 * (so a rebuild's switch-over, or a second projector by mistake, can never make a batch apply
 * twice), then writes the read models and the new checkpoint, and commits: a crash anywhere
 * leaves both or neither.
 */
export class ProjectionRunner {
  private readonly checkpoints: PgCheckpointStore;
  private readonly running = new Map<string, Subscription>();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly caughtUpOnce = new Map<string, Promise<void>>();

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.checkpoints = new PgCheckpointStore(options.pool);
  }

  async start(): Promise<void> {
    for (const p of this.options.projections) {
      await this.options.pool.query(
        `INSERT INTO subscription_checkpoints (subscription_name, checkpoint) VALUES ($1, $2) ON CONFLICT (subscription_name) DO NOTHING`,
        [checkpointName(p.name), START_CHECKPOINT],
      );
      let resolveCaughtUp!: () => void;
      this.caughtUpOnce.set(p.name, new Promise<void>((r) => (resolveCaughtUp = r)));
      this.loops.push(this.loop(p, resolveCaughtUp));
    }
  }

  /** Resolves once every projection has caught up with the log as it was when it (re)subscribed. */
  async caughtUp(): Promise<void> {
    await Promise.all([...this.caughtUpOnce.values()]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running.values()].map((s) => s.stop()));
    await Promise.all(this.loops);
  }

  private async loop(p: Projection, caughtUp: () => void): Promise<void> {
    const ctx: ProjectionContext = { table: liveTables, units: this.options.units };
    while (!this.stopped) {
      let expected = (await this.checkpoints.load(checkpointName(p.name)).catch(() => null)) ?? START_CHECKPOINT;
      const sub = this.options.store.subscribe({
        name: checkpointName(p.name),
        after: expected,
        batchSize: this.options.batchSize ?? 500,
        handler: async (events, checkpoint) => {
          await this.applyBatch(p, ctx, events, expected, checkpoint);
          expected = checkpoint;
        },
      });
      this.running.set(p.name, sub);
      sub.caughtUp().then(caughtUp, () => undefined);
      try {
        await sub.done;
      } catch (err) {
        if (this.stopped) break;
        if (!(err instanceof CheckpointMovedError)) {
          this.options.onError?.(p.name, err);
          await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 1000));
        }
      } finally {
        this.running.delete(p.name);
      }
    }
  }

  private async applyBatch(p: Projection, ctx: ProjectionContext, events: RecordedEvent[], expected: string, checkpoint: string): Promise<void> {
    const client: PoolClient = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      const res = await client.query<{ checkpoint: string }>(
        'SELECT checkpoint FROM subscription_checkpoints WHERE subscription_name = $1 FOR UPDATE',
        [checkpointName(p.name)],
      );
      const found = res.rows[0]?.checkpoint ?? null;
      if (found !== expected) throw new CheckpointMovedError(p.name, expected, found);
      await p.apply(events, client, ctx);
      await this.checkpoints.save(checkpointName(p.name), checkpoint, client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    const last = events[events.length - 1];
    if (last) this.options.onBatch?.({ projection: p.name, events: events.length, checkpoint, lastRecordedAt: last.recordedAt });
  }
}

/** The global position part of a stored checkpoint (for the position gauge). */
export function positionOf(checkpoint: string | null): number {
  return Number(parseCheckpoint(checkpoint === START_CHECKPOINT ? null : checkpoint).globalPosition);
}

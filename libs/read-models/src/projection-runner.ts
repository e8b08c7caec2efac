import type { Pool } from 'pg';
import { LeaseKeeper, withTransaction } from '@childledger/database';
import type {
  Checkpoint,
  EventStore,
  InTransaction,
  PoisonEventPolicy,
  PoisonLog,
  RecordedEvent,
  Subscription,
  SubscriptionStatusBoard,
} from '@childledger/event-store';
import { parseCheckpoint, PgCheckpointStore, PoisonEventHandler, SubscriptionStoppingError } from '@childledger/event-store';
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
  /** Tries of a failing event before it is dead-lettered (its stream parked), and their back-off. */
  poison?: Partial<PoisonEventPolicy>;
  status?: SubscriptionStatusBoard;
  log?: PoisonLog;
  /**
   * One active projector per projection across replicas: with a keeper, each projection runs only
   * while this process holds its lease (`projection:<name>`) and is reported `standby` otherwise.
   */
  leases?: LeaseKeeper;
}

/**
 * Runs one subscription per projection. Each batch is applied in one transaction that first
 * locks the projection's checkpoint row (without waiting: a locked row is a transient failure,
 * backed off and tried again, so no pooled connection waits on a rebuild) and checks it is still where this subscription left it
 * (so a rebuild's switch-over, or a second projector by mistake, can never make a batch apply
 * twice), then writes the read models and the new checkpoint, and commits: a crash anywhere
 * leaves both or neither.
 *
 * A batch that fails is tried again event by event: an event that still fails after its bounded
 * tries is dead-lettered (`subscription_dead_letters`) in the transaction that moves the checkpoint
 * past it, and the later events of its stream are parked behind it (a projection folds a stream in
 * order), while every other stream goes on (`PoisonEventHandler`).
 */
export class ProjectionRunner {
  private readonly checkpoints: PgCheckpointStore;
  private readonly running = new Map<string, Subscription>();
  private readonly loops: Promise<void>[] = [];
  private readonly caughtUpOnce = new Map<string, Promise<void>>();
  private readonly poison = new Map<string, PoisonEventHandler>();
  private readonly stopping = new AbortController();

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
    this.stopping.abort();
    for (const h of this.poison.values()) h.stop();
    await Promise.all([...this.running.values()].map((s) => s.stop()));
    await Promise.all(this.loops);
  }

  private async loop(p: Projection, caughtUp: () => void): Promise<void> {
    const name = checkpointName(p.name);
    const poison = new PoisonEventHandler({
      subscription: name,
      pool: this.options.pool,
      store: this.options.store,
      policy: this.options.poison,
      parkStreams: true,
      propagate: (err) => err instanceof CheckpointMovedError,
      status: this.options.status,
      log: this.options.log,
    });
    this.poison.set(p.name, poison);
    const leases = this.options.leases;
    if (leases) {
      await leases.runWhileHeld(
        `projection:${p.name}`,
        this.stopping.signal,
        (signal) => this.serve(p, poison, caughtUp, signal),
        () => this.options.status?.report(name, 'standby'),
      );
    } else {
      await this.serve(p, poison, caughtUp, this.stopping.signal);
    }
    poison.stop();
    this.options.status?.report(name, 'stopped');
  }

  /** Subscribes and applies until `signal` aborts (stop, or the lease lost), resubscribing after errors. */
  private async serve(p: Projection, poison: PoisonEventHandler, caughtUp: () => void, signal: AbortSignal): Promise<void> {
    const ctx: ProjectionContext = { table: liveTables, units: this.options.units };
    const name = checkpointName(p.name);
    const onAbort = () => {
      poison.stop();
      void this.running.get(p.name)?.stop();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        let expected = (await this.checkpoints.load(name).catch(() => null)) ?? START_CHECKPOINT;
        const commit = async (events: RecordedEvent[], to: Checkpoint | null, extra: InTransaction): Promise<void> => {
          await this.applyBatch(p, ctx, events, to === null ? null : expected, to, extra);
          if (to !== null) expected = to;
        };
        if (signal.aborted) break;
        poison.start(commit);
        const sub = this.options.store.subscribe({
          name,
          after: expected,
          batchSize: this.options.batchSize ?? 500,
          handler: (events, checkpoint) => poison.handle(events, checkpoint, commit),
        });
        this.running.set(p.name, sub);
        sub.caughtUp().then(caughtUp, () => undefined);
        try {
          await sub.done;
        } catch (err) {
          if (signal.aborted || err instanceof SubscriptionStoppingError) break;
          if (!(err instanceof CheckpointMovedError)) {
            this.options.onError?.(p.name, err);
            this.options.status?.report(name, 'restarting', err instanceof Error ? err.name : 'error');
            await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 1000));
          }
        } finally {
          this.running.delete(p.name);
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      poison.stop();
    }
  }

  /**
   * One transaction: lock the checkpoint row, check it is where this subscription left it (unless
   * `to` is null: a retried dead letter, behind the checkpoint, which stays), apply, run `extra`
   * (dead letters), move the checkpoint.
   */
  private async applyBatch(
    p: Projection,
    ctx: ProjectionContext,
    events: RecordedEvent[],
    expected: string | null,
    to: string | null,
    extra: InTransaction,
  ): Promise<void> {
    await withTransaction(this.options.pool, async (client) => {
      // NOWAIT: while a rebuild switches over it holds this row; waiting here would hold a pooled
      // connection per projection for the whole switch (and the rebuild may need one of them to read
      // the log's tail). Lock not available is transient: the batch backs off and is tried again.
      const res = await client.query<{ checkpoint: string }>('SELECT checkpoint FROM subscription_checkpoints WHERE subscription_name = $1 FOR UPDATE NOWAIT', [
        checkpointName(p.name),
      ]);
      const found = res.rows[0]?.checkpoint ?? null;
      if (to !== null && found !== expected) throw new CheckpointMovedError(p.name, expected ?? START_CHECKPOINT, found);
      if (events.length > 0) await p.apply(events, client, ctx);
      await extra(client);
      if (to !== null) await this.checkpoints.save(checkpointName(p.name), to, client);
    });
    const last = events[events.length - 1];
    if (last && to !== null) this.options.onBatch?.({ projection: p.name, events: events.length, checkpoint: to, lastRecordedAt: last.recordedAt });
  }
}

/** The global position part of a stored checkpoint (for the position gauge). */
export function positionOf(checkpoint: string | null): number {
  return Number(parseCheckpoint(checkpoint === START_CHECKPOINT ? null : checkpoint).globalPosition);
}

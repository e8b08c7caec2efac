import { withTransaction } from '@childledger/database';
import {
  Checkpoint,
  describeError,
  EventStore,
  InTransaction,
  PgCheckpointStore,
  PoisonEventHandler,
  PoisonEventPolicy,
  PoisonLog,
  RecordedEvent,
  Subscription,
  SubscriptionStatusBoard,
  SubscriptionStoppingError,
} from '@childledger/event-store';
import type { Pool } from 'pg';
import type { DataKeyring } from '../keys/data-keyring';

export const ERASURE_COMPLETER_SUBSCRIPTION = 'erasure-completer';

export interface ErasureCompleterOptions {
  /** Tries of a failing event before it is dead-lettered, and their back-off. */
  poison?: Partial<PoisonEventPolicy>;
  /** Wait before restarting after a crash; doubles per crash in a row, at most 30 s. */
  restartDelayMs?: number;
  status?: SubscriptionStatusBoard;
  log?: PoisonLog;
}

/**
 * Destroys the key of every child with a `ChildPersonalDataErased` event: the startup sweep that
 * finishes an erasure interrupted between its two steps (and, through `cascade`, erases the
 * records merged into an erased child). A subscription over the raw log (the
 * events it needs carry no personal data) with its checkpoint saved after the keys are gone:
 * at least once, and destroying a key twice is harmless.
 *
 * An event it cannot complete after bounded tries is dead-lettered and it moves on (each erasure
 * stands alone: no stream is parked); an operator retries it (`npm run cli -- dead-letters retry`).
 * A crash (a lost database) restarts it after a growing wait instead of stopping it.
 */
export class ErasureCompleter {
  private subscription?: Subscription;
  private readonly poison: PoisonEventHandler;
  private readonly checkpoints: PgCheckpointStore;
  private running?: Promise<void>;
  private stopped = false;
  private wakeRestart?: () => void;
  private resolveCaughtUp!: () => void;
  private readonly caughtUpOnce = new Promise<void>((r) => (this.resolveCaughtUp = r));

  constructor(
    /** The undecorated store: nothing to decrypt here. */
    private readonly store: EventStore,
    private readonly keyring: DataKeyring & { destroyKeysOfErasedSubjects?(): Promise<number> },
    private readonly pool: Pool,
    private readonly onError: (err: unknown) => void = () => undefined,
    /**
     * Called with every `ChildPersonalDataErased` and `ChildRecordsMerged` before the checkpoint
     * moves past it: the registry erases the records merged into an erased child there (a
     * duplicate has its own key and its own copy of the child's data). Must be idempotent.
     */
    private readonly cascade?: (event: RecordedEvent) => Promise<void>,
    private readonly options: ErasureCompleterOptions = {},
  ) {
    this.checkpoints = new PgCheckpointStore(pool);
    this.poison = new PoisonEventHandler({
      subscription: ERASURE_COMPLETER_SUBSCRIPTION,
      pool,
      store,
      policy: options.poison,
      parkStreams: false,
      status: options.status,
      log: options.log,
    });
  }

  async start(): Promise<void> {
    await this.keyring.destroyKeysOfErasedSubjects?.();
    this.stopped = false;
    this.running = this.run();
  }

  private async run(): Promise<void> {
    const commit = (events: RecordedEvent[], to: Checkpoint | null, extra: InTransaction) => this.complete(events, to, extra);
    let crashes = 0;
    while (!this.stopped) {
      try {
        const after = await this.checkpoints.load(ERASURE_COMPLETER_SUBSCRIPTION);
        this.poison.start(commit);
        const sub = this.store.subscribe({
          name: ERASURE_COMPLETER_SUBSCRIPTION,
          after,
          batchSize: 1000,
          handler: async (events, checkpoint) => {
            await this.poison.handle(events, checkpoint, commit);
            crashes = 0;
          },
        });
        this.subscription = sub;
        sub.caughtUp().then(this.resolveCaughtUp, () => undefined);
        await sub.done;
      } catch (err) {
        if (this.stopped || err instanceof SubscriptionStoppingError) break;
        this.onError(err);
        this.options.status?.report(ERASURE_COMPLETER_SUBSCRIPTION, 'restarting', describeError(err));
        const delay = Math.min((this.options.restartDelayMs ?? 500) * 2 ** crashes++, 30_000);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeRestart = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRestart = undefined;
      } finally {
        this.subscription = undefined;
      }
    }
    this.options.status?.report(ERASURE_COMPLETER_SUBSCRIPTION, 'stopped');
  }

  /** Destroys the keys and cascades (idempotent), then records `extra` (dead letters) and the checkpoint together. */
  private async complete(events: RecordedEvent[], to: Checkpoint | null, extra: InTransaction): Promise<void> {
    for (const e of events) {
      if (e.type === 'ChildPersonalDataErased' && typeof e.data.childId === 'string') await this.keyring.destroy(e.data.childId);
      if (this.cascade && (e.type === 'ChildPersonalDataErased' || e.type === 'ChildRecordsMerged')) await this.cascade(e);
    }
    await withTransaction(this.pool, async (client) => {
      await extra(client);
      if (to !== null) await this.checkpoints.save(ERASURE_COMPLETER_SUBSCRIPTION, to, client);
    });
  }

  /** Resolves once the completer has caught up with the log as it was when it first subscribed. */
  caughtUp(): Promise<void> {
    return this.running ? Promise.race([this.caughtUpOnce, this.running]) : Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poison.stop();
    this.wakeRestart?.();
    await this.subscription?.stop();
    await this.running;
  }
}

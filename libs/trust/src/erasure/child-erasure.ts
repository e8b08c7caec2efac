import { EventStore, PgCheckpointStore, RecordedEvent, Subscription } from '@childledger/event-store';
import type { Pool } from 'pg';
import type { DataKeyring } from '../keys/data-keyring';

export const ERASURE_COMPLETER_SUBSCRIPTION = 'erasure-completer';

/**
 * Destroys the key of every child with a `ChildPersonalDataErased` event: the startup sweep that
 * finishes an erasure interrupted between its two steps (and, through `cascade`, erases the
 * records merged into an erased child). A subscription over the raw log (the
 * events it needs carry no personal data) with its checkpoint saved after the keys are gone:
 * at least once, and destroying a key twice is harmless.
 */
export class ErasureCompleter {
  private subscription?: Subscription;

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
  ) {}

  async start(): Promise<void> {
    await this.keyring.destroyKeysOfErasedSubjects?.();
    const checkpoints = new PgCheckpointStore(this.pool);
    const after = await checkpoints.load(ERASURE_COMPLETER_SUBSCRIPTION);
    this.subscription = this.store.subscribe({
      name: ERASURE_COMPLETER_SUBSCRIPTION,
      after,
      batchSize: 1000,
      handler: async (events: RecordedEvent[], checkpoint) => {
        for (const e of events) {
          if (e.type === 'ChildPersonalDataErased' && typeof e.data.childId === 'string') await this.keyring.destroy(e.data.childId);
          if (this.cascade && (e.type === 'ChildPersonalDataErased' || e.type === 'ChildRecordsMerged')) await this.cascade(e);
        }
        await checkpoints.save(ERASURE_COMPLETER_SUBSCRIPTION, checkpoint);
      },
    });
    this.subscription.done.catch(this.onError);
  }

  caughtUp(): Promise<void> {
    return this.subscription?.caughtUp() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}

import { EventMetadata, EventStore, handleCommand, PgCheckpointStore, RecordedEvent, Subscription } from '@childledger/event-store';
import { ChildCommandContext, childDecider, childStreamId, RegistryError } from '@childledger/domain';
import type { Pool } from 'pg';
import type { DataKeyring } from '../keys/data-keyring';

export interface EraseChildInput {
  childId: string;
  reason: string;
  metadata: EventMetadata;
  context: ChildCommandContext;
}

export interface EraseChildResult {
  childId: string;
  /** Revision of the child's stream after the erasure event. */
  revision: number;
  /** True when the stream already held the erasure (a retry): only the key destruction was (re)done. */
  alreadyErased: boolean;
}

export interface EraseChildOptions {
  /** Test hook: runs between the append and the key destruction (the crash window). */
  afterAppend?: () => Promise<void>;
}

/**
 * Erasure in the only crash-safe order: append `ChildPersonalDataErased` (it carries no personal
 * data), then destroy the child's data key. If the process dies in between, the event is there
 * and the key too: a retry finds the event, skips the append and destroys the key; the
 * ErasureCompleter (running in the registry API) does the same for every erasure event it reads,
 * so the key goes even if nobody retries. The other order could destroy a key and then fail to
 * record why, leaving unreadable data with no erasure in the log.
 */
export async function eraseChildPersonalData(store: EventStore, keyring: DataKeyring, input: EraseChildInput, options: EraseChildOptions = {}): Promise<EraseChildResult> {
  const streamId = childStreamId(input.childId);
  let revision: number;
  let alreadyErased = false;
  try {
    const result = await handleCommand(store, streamId, { type: 'ErasePersonalData', data: { reason: input.reason }, context: input.context }, childDecider, {
      metadata: { ...input.metadata, reason: input.reason },
    });
    revision = result.revision;
  } catch (err) {
    if (!(err instanceof RegistryError) || err.code !== 'RECORD_ERASED') throw err;
    alreadyErased = true;
    revision = (await store.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0]?.revision ?? -1;
  }
  await options.afterAppend?.();
  await keyring.destroy(input.childId);
  return { childId: input.childId, revision, alreadyErased };
}

export const ERASURE_COMPLETER_SUBSCRIPTION = 'erasure-completer';

/**
 * Destroys the key of every child with a `ChildPersonalDataErased` event: the startup sweep that
 * finishes an erasure interrupted between its two steps. A subscription over the raw log (the
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

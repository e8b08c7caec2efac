import { EventMetadata, EventStore, handleCommand } from '@childledger/event-store';
import { ChildCommandContext, childDecider, childStreamId, RegistryError } from '@childledger/domain';
import type { DataKeyring } from '@childledger/trust';

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


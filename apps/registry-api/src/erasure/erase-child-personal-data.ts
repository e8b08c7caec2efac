import { EventMetadata, EventStore, handleCommand, loadState, RecordedEvent } from '@childledger/event-store';
import { ChildCommandContext, childDecider, childStreamId, RegistryError } from '@childledger/domain';
import { DataKeyring, rawEventStore } from '@childledger/trust';

export interface EraseChildInput {
  childId: string;
  reason: string;
  metadata: EventMetadata;
  context: ChildCommandContext;
  /**
   * Removes what the registry's own tables keep of the child beyond the log (its imports' dedupe
   * keys: forgetImportedChild), after its key is destroyed; for each merged record too.
   */
  forget?: (childId: string) => Promise<unknown>;
}

export interface EraseChildResult {
  childId: string;
  /** Revision of the child's stream after the erasure event. */
  revision: number;
  /** True when the stream already held the erasure (a retry): only the key destruction was (re)done. */
  alreadyErased: boolean;
  /** The records merged into this one (directly or through another merged record), erased with it. */
  mergedRecordsErased: string[];
}

export interface EraseChildOptions {
  /** Test hook: runs between the append and the key destruction (the crash window). */
  afterAppend?: () => Promise<void>;
}

const MERGE_TYPES = ['ChildRecordsMerged', 'ChildRecordsMergeReverted'];

/**
 * The records merged into `childId` now, directly or through a chain (B into A, A into C: both
 * are C's), from the merge events of the log. A merge is appended to the duplicate's stream only,
 * so the surviving stream does not know its duplicates: the log's merge events are the index.
 * Reads the undecorated store (nothing personal is needed) with a type filter.
 */
export async function recordsMergedInto(store: EventStore, childId: string): Promise<string[]> {
  const raw = rawEventStore(store);
  const survivorOf = new Map<string, string>();
  for (let after: string | null = null; ;) {
    const page = await raw.readAll({ after, maxCount: 1000, filter: { eventTypes: MERGE_TYPES } });
    if (page.events.length === 0) break;
    for (const e of page.events) {
      const duplicate = e.data.childId;
      if (typeof duplicate !== 'string') continue;
      if (e.type === 'ChildRecordsMerged' && typeof e.data.survivingChildId === 'string') survivorOf.set(duplicate, e.data.survivingChildId);
      else survivorOf.delete(duplicate);
    }
    after = page.checkpoint;
  }
  const into = new Map<string, string[]>();
  for (const [duplicate, survivor] of survivorOf) into.set(survivor, [...(into.get(survivor) ?? []), duplicate]);
  const found: string[] = [];
  const seen = new Set([childId]);
  for (let queue = [childId]; queue.length > 0;) {
    const next: string[] = [];
    for (const id of queue) {
      for (const duplicate of into.get(id) ?? []) {
        if (seen.has(duplicate)) continue;
        seen.add(duplicate);
        found.push(duplicate);
        next.push(duplicate);
      }
    }
    queue = next;
  }
  return found;
}

/** Appends the erasure to one stream (nothing if it is already there), then destroys the key. */
async function eraseOne(store: EventStore, keyring: DataKeyring, childId: string, input: Omit<EraseChildInput, 'childId'>, afterAppend?: () => Promise<void>) {
  const streamId = childStreamId(childId);
  let revision: number;
  let alreadyErased = false;
  try {
    const result = await handleCommand(store, streamId, { type: 'ErasePersonalData', data: { reason: input.reason }, context: input.context }, childDecider, {
      metadata: input.metadata,
    });
    revision = result.revision;
  } catch (err) {
    if (!(err instanceof RegistryError) || err.code !== 'RECORD_ERASED') throw err;
    alreadyErased = true;
    revision = (await store.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0]?.revision ?? -1;
  }
  await afterAppend?.();
  await keyring.destroy(childId);
  await input.forget?.(childId);
  return { revision, alreadyErased };
}

/**
 * Erases the records merged into `childId` (each gets its own `ChildPersonalDataErased`, naming
 * the record it was erased with, and loses its key). Used by the endpoint after the record's own
 * erasure and by the erasure completer, so an erasure interrupted before it reached the merged
 * records is finished too. Records already erased are skipped.
 */
export async function eraseRecordsMergedInto(store: EventStore, keyring: DataKeyring, input: EraseChildInput): Promise<string[]> {
  const duplicates = await recordsMergedInto(store, input.childId);
  for (const duplicate of duplicates) {
    await eraseOne(store, keyring, duplicate, { ...input, metadata: { ...input.metadata, erasedWithChildId: input.childId } });
  }
  return duplicates;
}

/**
 * Erasure in the only crash-safe order: append `ChildPersonalDataErased` (it carries no personal
 * data), then destroy the child's data key; then the same for every record merged into it (a
 * duplicate keeps its own key and its own copy of the child's data). If the process dies in
 * between, the event is there and the key too: a retry finds the event, skips the append and
 * destroys the key; the ErasureCompleter (running in the registry API) does the same for every
 * erasure event it reads, merged records included, so the keys go even if nobody retries. The
 * other order could destroy a key and then fail to record why, leaving unreadable data with no
 * erasure in the log.
 */
export async function eraseChildPersonalData(
  store: EventStore,
  keyring: DataKeyring,
  input: EraseChildInput,
  options: EraseChildOptions = {},
): Promise<EraseChildResult> {
  const own = await eraseOne(store, keyring, input.childId, input, options.afterAppend);
  const mergedRecordsErased = await eraseRecordsMergedInto(store, keyring, input);
  return { childId: input.childId, ...own, mergedRecordsErased };
}

/**
 * What the erasure completer does beyond destroying keys: after a `ChildPersonalDataErased`, erase
 * the records merged into that child; after a `ChildRecordsMerged` into a record that is erased
 * (a merge that raced the erasure), erase the duplicate. The reason is the erasure's own.
 */
export function erasureCascade(store: EventStore, keyring: DataKeyring, units: () => ChildCommandContext['units'], forget?: EraseChildInput['forget']) {
  return async (event: RecordedEvent): Promise<void> => {
    const context = (): ChildCommandContext => ({ now: new Date(), units: units() });
    const metadata: EventMetadata = { actor: { userId: 'erasure-completer', role: 'system' }, causationId: event.id };
    if (event.type === 'ChildPersonalDataErased' && typeof event.data.childId === 'string') {
      // An erasure interrupted before its own forget (or one from before forgetting existed) is finished here.
      await forget?.(event.data.childId);
      await eraseRecordsMergedInto(store, keyring, {
        childId: event.data.childId,
        reason: String(event.data.reason ?? ''),
        metadata,
        context: context(),
        forget,
      });
    } else if (event.type === 'ChildRecordsMerged' && typeof event.data.survivingChildId === 'string' && typeof event.data.childId === 'string') {
      const survivor = await rawEventStore(store).readStream(childStreamId(event.data.survivingChildId));
      const erasure = survivor.find((e) => e.type === 'ChildPersonalDataErased');
      if (!erasure) return;
      const { state } = await loadState(store, childStreamId(event.data.childId), childDecider);
      if (state.status === 'merged') {
        await eraseOne(store, keyring, event.data.childId, {
          reason: String(erasure.data.reason ?? ''),
          metadata: { ...metadata, erasedWithChildId: event.data.survivingChildId },
          context: context(),
          forget,
        });
      }
    }
  };
}

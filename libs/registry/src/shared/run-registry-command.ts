import { randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '@childledger/domain';
import {
  Actor,
  AppendOptions,
  AppendResult,
  EventMetadata,
  EventStore,
  handleCommand,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  WrongExpectedVersionError,
} from '@childledger/event-store';
import type { RegistryCommand, RegistryCommandResult } from './registry-command';
import type { RegistryHandlerDeps } from './registry-handler.deps';

type AnyCommand = { type: string; data: unknown; context: unknown };

/**
 * Load, decide, append with the expected revision, retrying on a concurrent write (as
 * `DeciderCommandHandler` does), with three additions: the events carry the actor and correlation
 * id; the append goes through the idempotency store when the request has a key; the event ids are
 * chosen here so that the response can name them.
 */
export async function runRegistryCommand<C extends AnyCommand, State, Event extends DomainEvent>(
  deps: RegistryHandlerDeps,
  envelope: RegistryCommand<C>,
  decider: Decider<C, State, Event>,
  actor: Actor,
  maxRetries: number,
  options: { expectNewStream?: boolean } = {},
): Promise<RegistryCommandResult<Event>> {
  const { user, idempotency } = envelope.request;
  const store = idempotency ? deps.idempotency.storeFor(user.userId, idempotency, envelope.targetId) : deps.store;
  const metadata: EventMetadata = { ...envelope.metadata, actor };
  const ids: string[] = [];
  const run = async (from: EventStore, retries: number) => {
    const result = await handleCommand(from, envelope.streamId, envelope.command, decider, {
      metadata,
      expectedRevision: envelope.expectedRevision,
      maxRetries: retries,
      eventId: (i) => (ids[i] ??= randomUUID()),
    });
    return { ...result, streamId: envelope.streamId, id: envelope.targetId, eventIds: ids.slice(0, result.events.length) };
  };
  if (options.expectNewStream && envelope.expectedRevision === undefined) {
    // A registration names a new stream (usually a fresh UUID): decide on the empty state and
    // append with `no_stream`, skipping the read. If the stream exists after all, the append fails
    // and the command runs the ordinary way, so the answer is the same (CHILD_ALREADY_REGISTERED).
    try {
      return await run(new AssumedEmptyStreams(store), 0);
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError)) throw err;
    }
  }
  return run(store, maxRetries);
}

/** Reads every stream as empty; everything else goes to the real store. */
class AssumedEmptyStreams implements EventStore {
  constructor(private readonly store: EventStore) {}
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.store.append(streamId, events, options);
  }
  async readStream(): Promise<RecordedEvent[]> {
    return [];
  }
  readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    return this.store.readAll(options);
  }
  subscribe(options: SubscribeOptions): Subscription {
    return this.store.subscribe(options);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

import { randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '@childledger/domain';
import { Actor, EventMetadata, handleCommand } from '@childledger/event-store';
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
): Promise<RegistryCommandResult<Event>> {
  const { user, idempotency } = envelope.request;
  const store = idempotency ? deps.idempotency.storeFor(user.userId, idempotency, envelope.targetId) : deps.store;
  const metadata: EventMetadata = { ...envelope.metadata, actor };
  const ids: string[] = [];
  const result = await handleCommand(store, envelope.streamId, envelope.command, decider, {
    metadata,
    expectedRevision: envelope.expectedRevision,
    maxRetries,
    eventId: (i) => (ids[i] ??= randomUUID()),
  });
  return { ...result, streamId: envelope.streamId, id: envelope.targetId, eventIds: ids.slice(0, result.events.length) };
}

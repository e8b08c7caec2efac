import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError } from '../event-store.errors';
import type { EventMetadata, EventStore, RecordedEvent } from '../event-store.port';

import type { Decider, DomainEvent } from '@childledger/decider';

export type { Decider, DomainEvent };

export interface HandleCommandOptions {
  metadata?: EventMetadata;
  /**
   * The revision the client saw (HTTP `If-Match`). When given, a conflict is the client's to
   * resolve and is not retried.
   */
  expectedRevision?: number;
  /** How many times to reload and decide again after a concurrent write. */
  maxRetries?: number;
  /** Event ids; deterministic ids (from an idempotency key) make a retried command a no-op. */
  eventId?: (index: number) => string;
}

export interface HandleCommandResult<Event extends DomainEvent> {
  events: Event[];
  /** Revision of the stream's last event after the command (-1 if it still has none). */
  revision: number;
  duplicate: boolean;
}

export async function loadState<State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
): Promise<{ state: State; revision: number; events: RecordedEvent[] }> {
  const events = await store.readStream(streamId);
  let state = decider.initialState();
  for (const e of events) state = decider.evolve(state, { type: e.type, data: e.data, schemaVersion: e.schemaVersion } as Event);
  return { state, revision: events.length - 1, events };
}

/**
 * Load the stream, decide, append with the revision that was read; on a concurrent write,
 * load and decide again, a bounded number of times.
 */
export async function handleCommand<Command, State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  command: Command,
  decider: Decider<Command, State, Event>,
  options: HandleCommandOptions = {},
): Promise<HandleCommandResult<Event>> {
  const maxRetries = options.expectedRevision === undefined ? (options.maxRetries ?? 3) : 0;
  const eventId = options.eventId ?? (() => randomUUID());
  for (let attempt = 0; ; attempt++) {
    const { state, revision } = await loadState(store, streamId, decider);
    if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
      throw new WrongExpectedVersionError(streamId, options.expectedRevision, revision < 0 ? null : revision);
    }
    const events = decider.decide(command, state);
    try {
      const result = await store.append(
        streamId,
        events.map((e, i) => ({
          id: eventId(i),
          type: e.type,
          schemaVersion: e.schemaVersion,
          data: e.data as Record<string, unknown>,
          metadata: options.metadata,
        })),
        { expectedRevision: revision < 0 ? 'no_stream' : revision },
      );
      return { events, revision: result.nextExpectedRevision, duplicate: result.duplicate };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError && attempt < maxRetries) continue;
      throw err;
    }
  }
}

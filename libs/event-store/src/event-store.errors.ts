import type { ExpectedRevision } from './event-store.port';

export type EventStoreErrorCode = 'WRONG_EXPECTED_VERSION' | 'IDEMPOTENCY_CONFLICT' | 'INVALID_EVENT' | 'INVALID_CHECKPOINT';

export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream is not at the revision the writer expected. `actualRevision` is null when the stream does not exist. */
export class WrongExpectedVersionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly streamId: string,
    readonly expectedRevision: ExpectedRevision,
    readonly actualRevision: number | null,
  ) {
    super(`stream ${streamId}: expected revision ${String(expectedRevision)}, actual ${actualRevision === null ? 'no stream' : actualRevision}`);
  }
}

/** An event id that is already in the log with other content (or in another stream). */
export class IdempotencyConflictError extends EventStoreError {
  readonly code = 'IDEMPOTENCY_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly eventIds: readonly string[],
  ) {
    super(`stream ${streamId}: event id(s) already written with different content: ${eventIds.join(', ')}`);
  }
}

export class InvalidEventError extends EventStoreError {
  readonly code = 'INVALID_EVENT';
}

export class InvalidCheckpointError extends EventStoreError {
  readonly code = 'INVALID_CHECKPOINT';
  constructor(readonly checkpoint: string) {
    super(`not a checkpoint of this event store: ${JSON.stringify(checkpoint)}`);
  }
}

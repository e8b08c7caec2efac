import { Decider, DomainEvent, EventMetadata, EventStore, handleCommand, HandleCommandResult } from '@childledger/event-store';

/** What a NestJS command carries besides the domain command: who, why, which revision was seen. */
export interface CommandEnvelope<Command> {
  streamId: string;
  command: Command;
  metadata: EventMetadata;
  /** From `If-Match`: fail on a concurrent change instead of retrying. */
  expectedRevision?: number;
}

/**
 * The bridge between @nestjs/cqrs and the pure domain: a handler loads the aggregate's stream,
 * calls `decide`, and appends with the expected revision, retrying a bounded number of times
 * on a version conflict. Concrete handlers only name the decider:
 *
 *   @CommandHandler(RegisterChildCommand)
 *   export class RegisterChildHandler extends DeciderCommandHandler<...> { ... }
 */
export abstract class DeciderCommandHandler<Command, State, Event extends DomainEvent, C extends CommandEnvelope<Command> = CommandEnvelope<Command>> {
  protected readonly maxRetries: number = 3;

  protected constructor(
    protected readonly store: EventStore,
    protected readonly decider: Decider<Command, State, Event>,
  ) {}

  execute(envelope: C): Promise<HandleCommandResult<Event>> {
    return handleCommand(this.store, envelope.streamId, envelope.command, this.decider, {
      metadata: envelope.metadata,
      expectedRevision: envelope.expectedRevision,
      maxRetries: this.maxRetries,
    });
  }
}

import { Command } from '@nestjs/cqrs';
import type { CaseCommand, ChildCommand, DomainEvent } from '@childledger/domain';
import { caseStreamId, childStreamId } from '@childledger/domain';
import type { EventMetadata, HandleCommandResult } from '@childledger/event-store';
import type { AuthenticatedUser, CommandEnvelope } from '@childledger/platform';

/** What the transport knows about a request: who, which request, which revision the client saw. */
export interface RequestContext {
  user: AuthenticatedUser;
  /** The request id (nestjs-pino `req.id`), recorded as the events' correlation id. */
  correlationId: string;
  /** From `If-Match`: the revision the client last saw; a concurrent change is then a 409, not retried. */
  expectedRevision?: number;
  /** From `Idempotency-Key`: the result is stored with the events, in their transaction. */
  idempotency?: IdempotencyClaim;
  /** Where the command came from, recorded in the events' metadata. */
  source?: 'api' | 'import' | 'cli';
  /** More metadata recorded with the events: an import's row (`import`), a review's outcome (`review`). */
  metadata?: Readonly<Record<string, unknown>>;
}

/** A client's idempotency key, scoped to the user, with a fingerprint of the request it was first used for. */
export interface IdempotencyClaim {
  key: string;
  /** Keyed hash (HMAC, `RegistryKeys.fingerprint`) of method, route, If-Match and canonical body. */
  fingerprint: string;
  /** The HTTP status of the first response; replayed as is. */
  status: number;
}

/** What a registry command handler returns: the store's answer plus where and under which ids. */
export interface RegistryCommandResult<Event extends DomainEvent = DomainEvent> extends HandleCommandResult<Event> {
  streamId: string;
  /** `childId` or `caseId`. */
  id: string;
  eventIds: string[];
}

/** The body of a command's response, and what an idempotent retry replays byte for byte. */
export interface CommandResponseBody {
  id: string;
  streamId: string;
  /** The stream's revision after the command: send it as `If-Match` next time. */
  revision: number;
  events: { id: string; type: string }[];
}

export function responseBody(streamId: string, id: string, events: readonly { id: string; type: string }[], revision: number): CommandResponseBody {
  return { id, streamId, revision, events: events.map((e) => ({ id: e.id, type: e.type })) };
}

export function responseBodyOf(result: RegistryCommandResult): CommandResponseBody {
  return responseBody(
    result.streamId,
    result.id,
    result.events.map((e, i) => ({ id: result.eventIds[i] ?? '', type: e.type })),
    result.revision,
  );
}

type AnyCommand = { type: string; data: unknown; context: unknown };

/**
 * A domain command on one stream, as the CQRS bus carries it: the envelope `DeciderCommandHandler`
 * expects (stream, domain command with its context, metadata, If-Match revision) plus the request's
 * user and idempotency claim. Subclasses name the domain command; handlers complete the metadata
 * with the actor once they know the unit the user acts for.
 */
export abstract class RegistryCommand<C extends AnyCommand> extends Command<RegistryCommandResult> implements CommandEnvelope<C> {
  readonly streamId: string;
  readonly command: C;
  readonly metadata: EventMetadata;
  readonly expectedRevision?: number;

  protected constructor(
    type: C['type'],
    readonly targetId: string,
    data: C['data'],
    readonly request: RequestContext,
    context: C['context'],
    streamIdOf: (id: string) => string,
  ) {
    super();
    this.streamId = streamIdOf(targetId);
    this.command = { type, data, context } as C;
    this.expectedRevision = request.expectedRevision;
    const reason = (data as { reason?: unknown }).reason;
    this.metadata = {
      ...request.metadata,
      correlationId: request.correlationId,
      source: request.source ?? 'api',
      ...(typeof reason === 'string' && reason.trim() !== '' ? { reason: reason.normalize('NFC').trim() } : {}),
      ...(request.idempotency ? { idempotencyKey: request.idempotency.key } : {}),
    };
  }
}

export abstract class ChildRegistryCommand<C extends ChildCommand> extends RegistryCommand<C> {
  protected constructor(type: C['type'], childId: string, data: C['data'], request: RequestContext, context: C['context']) {
    super(type, childId, data, request, context, childStreamId);
  }
}

export abstract class CaseRegistryCommand<C extends CaseCommand> extends RegistryCommand<C> {
  protected constructor(type: C['type'], caseId: string, data: C['data'], request: RequestContext, context: C['context']) {
    super(type, caseId, data, request, context, caseStreamId);
  }
}

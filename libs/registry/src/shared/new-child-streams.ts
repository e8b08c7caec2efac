import { randomUUID } from 'node:crypto';
import { ChildCommand, ChildEvent, ChildState, RegistryError } from '@childledger/domain';
import {
  Actor,
  IdempotencyConflictError,
  NewEvent,
  StoreTransaction,
  TransactionalAppend,
  transactionalAppendOf,
  WrongExpectedVersionError,
} from '@childledger/event-store';
import { AccessDeniedError } from './access-policy';
import { jurisdictionGuardedChildDecider } from './child-command.handler';
import type { ChildRegistryCommand } from './registry-command';
import type { RegistryHandlerDeps } from './registry-handler.deps';

/** New child records to write: a registration, then more commands on the same new stream. */
export interface NewChildStream<Key> {
  key: Key;
  /** All on one child id; the first is a RegisterChild. */
  commands: readonly ChildRegistryCommand<ChildCommand>[];
}

/** A new stream decided and authorized, ready to append with `no_stream`. */
export interface PreparedChildStream<Key> {
  key: Key;
  childId: string;
  streamId: string;
  events: NewEvent[];
}

export type DecidedChildStream<Key> = { ok: true; stream: PreparedChildStream<Key> } | { ok: false; key: Key; error: RegistryError | AccessDeniedError };

/** The caller's writes in the append's transaction refuse this batch (another writer took it): `append` retries row by row. */
export class BatchConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchConflictError';
  }
}

export interface AppendNewStreamsOptions<Key> {
  /**
   * The caller's own writes, in the transaction of these streams' events (import dedupe keys).
   * Throw BatchConflictError when they conflict with another writer's.
   */
  within?: (tx: StoreTransaction, streams: readonly PreparedChildStream<Key>[]) => Promise<void>;
}

/**
 * The handler core for many new child records at once (imports). The same steps as every other
 * command (ChildCommandHandler): the role checked for each command, `decide` run on the folded state
 * through the same jurisdiction-guarded decider, metadata from the command envelope plus the actor,
 * append with the expected revision (`no_stream`). What differs is only the batching: all streams of
 * a batch go in one transaction through the store's `append-in-transaction` capability, with the
 * caller's writes; if that fails, each stream goes in its own transaction, a conflict then meaning
 * "already written".
 */
export class NewChildStreams {
  private transactional?: TransactionalAppend;

  constructor(private readonly deps: RegistryHandlerDeps) {}

  /** Decides each stream (pure apart from the policy); a refusal is returned, not thrown. */
  decide<Key>(items: readonly NewChildStream<Key>[]): DecidedChildStream<Key>[] {
    return items.map((item) => {
      try {
        return { ok: true, stream: this.decideOne(item) };
      } catch (err) {
        if (err instanceof RegistryError || err instanceof AccessDeniedError) return { ok: false, key: item.key, error: err };
        throw err;
      }
    });
  }

  private decideOne<Key>(item: NewChildStream<Key>): PreparedChildStream<Key> {
    const first = item.commands[0];
    if (!first || first.command.type !== 'RegisterChild') throw new Error('a new child stream starts with RegisterChild');
    const { user } = first.request;
    const actor: Actor = { userId: user.userId, role: user.role };
    const decider = jurisdictionGuardedChildDecider(this.deps.policy, user, actor);
    let state: ChildState = decider.initialState();
    const events: NewEvent[] = [];
    for (const envelope of item.commands) {
      if (envelope.streamId !== first.streamId) throw new Error('the commands of a new child stream share its id');
      this.deps.policy.requireRole(envelope.request.user, envelope.command.type);
      const decided: ChildEvent[] = decider.decide(envelope.command, state);
      for (const e of decided) {
        state = decider.evolve(state, e);
        events.push({
          id: randomUUID(),
          type: e.type,
          schemaVersion: e.schemaVersion,
          data: e.data as Record<string, unknown>,
          metadata: { ...envelope.metadata, actor: { ...actor } },
        });
      }
    }
    return { key: item.key, childId: first.targetId, streamId: first.streamId, events };
  }

  /** Appends the streams; returns the keys of those written (the others existed already, or conflicted in `within`). */
  async append<Key>(streams: readonly PreparedChildStream<Key>[], options: AppendNewStreamsOptions<Key> = {}): Promise<Set<Key>> {
    const written = new Set<Key>();
    if (streams.length === 0) return written;
    const transactional = (this.transactional ??= transactionalAppendOf(this.deps.store, 'the import'));
    const inOne = async (batch: readonly PreparedChildStream<Key>[]) =>
      transactional.transaction(async (tx) => {
        for (const s of batch) await tx.append(s.streamId, s.events, { expectedRevision: 'no_stream' });
        await options.within?.(tx, batch);
      });
    try {
      await inOne(streams);
      for (const s of streams) written.add(s.key);
      return written;
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    for (const s of streams) {
      try {
        await inOne([s]);
        written.add(s.key);
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    return written;
  }
}

function isConflict(err: unknown): boolean {
  return err instanceof WrongExpectedVersionError || err instanceof IdempotencyConflictError || err instanceof BatchConflictError;
}

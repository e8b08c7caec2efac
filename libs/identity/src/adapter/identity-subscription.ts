import type { Pool, PoolClient } from 'pg';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { withTransaction } from '@childledger/database';
import type {
  Checkpoint,
  EventStore,
  InTransaction,
  PoisonEventPolicy,
  PoisonLog,
  RecordedEvent,
  Subscription,
  SubscriptionStatusBoard,
} from '@childledger/event-store';
import { isTransientDatabaseError, PgCheckpointStore, PoisonEventHandler } from '@childledger/event-store';
import { NationalRegistryUnavailableError } from '../national-registry/national-registry.errors';
import type { ChildrenIndexStore, ReviewQueueStore } from '../reconciliation/review-queue.store';
import { IDENTITY_FOLLOWED_TYPES, IDENTITY_TRIGGER_TYPES } from './identity.events';
import type { IdentityResolver, ResolutionOutcome } from './identity-resolver';

export interface IdentitySubscriptionOptions {
  store: EventStore;
  pool: Pool;
  resolver: IdentityResolver;
  reviewQueue: ReviewQueueStore;
  children: ChildrenIndexStore;
  name?: string;
  /** Wait before trying an event again after the national database failed: doubles up to the maximum. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  batchSize?: number;
  /** Told about every event handled (for metrics and tests); never given personal data. */
  onOutcome?: (event: RecordedEvent, outcome: ResolutionOutcome | { kind: 'followed' }) => void;
  /** The national database (or this service's own database) was unavailable: the event is tried again, without limit. */
  onTransientFailure?: (event: RecordedEvent, err: unknown, attempt: number) => void;
  /** Tries of an event failing for any other reason before it is dead-lettered (the child's stream parked). */
  poison?: Partial<Omit<PoisonEventPolicy, 'baseDelayMs' | 'maxDelayMs'>>;
  status?: SubscriptionStatusBoard;
  log?: PoisonLog;
}

/**
 * The national database could not answer now (429, 5xx, timeout, open circuit), or this service's
 * database is unreachable: trying the same event later may work. Anything else (a resolver bug, a
 * malformed event, a refusal of the request) is not cured by waiting.
 */
export function isUnavailableError(err: unknown): boolean {
  return (
    err instanceof NationalRegistryUnavailableError || err instanceof BrokenCircuitError || err instanceof TaskCancelledError || isTransientDatabaseError(err)
  );
}

export const IDENTITY_SUBSCRIPTION_NAME = 'identity-adapter';

/**
 * The adapter's subscription to child events. Events are handled one at a time, in global order:
 * the identity decision (idempotent: deterministic event ids, and a look at the stream first), then
 * in one transaction the small read models (children index, review queue resolutions) and the
 * checkpoint. A crash anywhere resumes from the last committed checkpoint and appends nothing twice.
 * When the national database is unavailable the same event is tried again after a growing wait,
 * so no child is skipped and order is kept. Any other failure is tried a bounded number of times,
 * then the event is dead-lettered and the later events of that child's stream are parked behind it
 * (`PoisonEventHandler`); other children go on.
 */
export class IdentitySubscription {
  private subscription?: Subscription;
  private readonly checkpoints: PgCheckpointStore;
  private readonly poison: PoisonEventHandler;
  readonly name: string;

  constructor(private readonly options: IdentitySubscriptionOptions) {
    this.checkpoints = new PgCheckpointStore(options.pool);
    this.name = options.name ?? IDENTITY_SUBSCRIPTION_NAME;
    this.poison = new PoisonEventHandler({
      subscription: this.name,
      pool: options.pool,
      store: options.store,
      policy: { ...options.poison, baseDelayMs: options.retryDelayMs ?? 1000, maxDelayMs: options.maxRetryDelayMs ?? 30_000 },
      parkStreams: true,
      isTransient: isUnavailableError,
      status: options.status,
      log: options.log,
      onTransientFailure: (err, attempt, event) => {
        if (event) this.options.onTransientFailure?.(event, err, attempt);
      },
    });
  }

  async start(): Promise<void> {
    const after = await this.checkpoints.load(this.name);
    const commit = (events: RecordedEvent[], to: Checkpoint | null, extra: InTransaction) => this.commit(events, to, extra);
    this.poison.start(commit);
    this.subscription = this.options.store.subscribe({
      name: this.name,
      after,
      filter: { eventTypes: IDENTITY_FOLLOWED_TYPES, streamPrefixes: ['child-'] },
      batchSize: this.options.batchSize ?? 20,
      // One event at a time: each one's decision, effects and checkpoint are its own.
      handler: async (events) => {
        for (const event of events) await this.poison.handle([event], event.position, commit);
      },
    });
  }

  caughtUp(): Promise<void> {
    return this.subscription?.caughtUp() ?? Promise.resolve();
  }

  get done(): Promise<void> {
    return this.subscription?.done ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.poison.stop();
    await this.subscription?.stop();
  }

  /**
   * The identity decision for the event (if it triggers one: idempotent), then in one transaction
   * its read-model effects, `extra` (dead letters) and the checkpoint (`to`; null for a retried dead
   * letter, which is behind it).
   */
  private async commit(events: RecordedEvent[], to: Checkpoint | null, extra: InTransaction): Promise<void> {
    const event = events[0];
    let outcome: ResolutionOutcome | { kind: 'followed' } = { kind: 'followed' };
    if (event && (IDENTITY_TRIGGER_TYPES as readonly string[]).includes(event.type)) outcome = await this.options.resolver.process(event);
    await withTransaction(this.options.pool, async (client) => {
      if (event) await this.applyEffects(event, client);
      await extra(client);
      if (to !== null) await this.checkpoints.save(this.name, to, client);
    });
    if (event) this.options.onOutcome?.(event, outcome);
  }

  /** Read-model effects of the event: the children index and the review queue's resolutions. */
  private async applyEffects(event: RecordedEvent, client: PoolClient): Promise<void> {
    const data = event.data as Record<string, unknown>;
    const childId = String(data['childId'] ?? '');
    switch (event.type) {
      case 'ChildRegistered': {
        const residence = data['residence'] as { communeCode: string; effectiveFrom: string };
        await this.options.children.register(childId, residence.communeCode, residence.effectiveFrom, client);
        break;
      }
      case 'ResidenceChanged':
        await this.options.children.moved(childId, String(data['communeCode']), String(data['effectiveFrom']), client);
        break;
      case 'ChildRecordsMerged':
        await this.options.children.setStatus(childId, 'merged', client);
        await this.options.reviewQueue.resolve(childId, 'merged into another record', undefined, client);
        break;
      case 'ChildRecordsMergeReverted':
        await this.options.children.setStatus(childId, 'active', client);
        break;
      case 'ChildPersonalDataErased':
        await this.options.children.setStatus(childId, 'erased', client);
        await this.options.reviewQueue.remove(childId, client);
        break;
      case 'NationalIdLinked':
        await this.options.reviewQueue.resolve(childId, 'linked', event.id, client);
        break;
      case 'NoNationalRecordFound':
        await this.options.reviewQueue.resolve(childId, 'no national record', event.id, client);
        break;
    }
  }
}

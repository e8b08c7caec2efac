import type { Pool } from 'pg';
import type { EventStore, RecordedEvent, Subscription } from '@childledger/event-store';
import { PgCheckpointStore } from '@childledger/event-store';
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
  onTransientFailure?: (event: RecordedEvent, err: unknown, attempt: number) => void;
}

export const IDENTITY_SUBSCRIPTION_NAME = 'identity-adapter';

/**
 * The adapter's subscription to child events. Events are handled one at a time, in global order:
 * the identity decision (idempotent: deterministic event ids, and a look at the stream first), then
 * in one transaction the small read models (children index, review queue resolutions) and the
 * checkpoint. A crash anywhere resumes from the last committed checkpoint and appends nothing twice.
 * When the national database is unavailable the same event is tried again after a growing wait,
 * so no child is skipped and order is kept.
 */
export class IdentitySubscription {
  private subscription?: Subscription;
  private stopping = false;
  private wake?: () => void;
  private readonly checkpoints: PgCheckpointStore;
  readonly name: string;

  constructor(private readonly options: IdentitySubscriptionOptions) {
    this.checkpoints = new PgCheckpointStore(options.pool);
    this.name = options.name ?? IDENTITY_SUBSCRIPTION_NAME;
  }

  async start(): Promise<void> {
    const after = await this.checkpoints.load(this.name);
    this.stopping = false;
    this.subscription = this.options.store.subscribe({
      name: this.name,
      after,
      filter: { eventTypes: IDENTITY_FOLLOWED_TYPES, streamPrefixes: ['child-'] },
      batchSize: this.options.batchSize ?? 20,
      handler: (events) => this.handle(events),
    });
  }

  caughtUp(): Promise<void> {
    return this.subscription?.caughtUp() ?? Promise.resolve();
  }

  get done(): Promise<void> {
    return this.subscription?.done ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.subscription?.stop();
  }

  private async handle(events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      if (this.stopping) return; // not checkpointed: handled again after a restart
      let outcome: ResolutionOutcome | { kind: 'followed' } = { kind: 'followed' };
      if ((IDENTITY_TRIGGER_TYPES as readonly string[]).includes(event.type)) {
        const resolved = await this.resolveUntilDone(event);
        if (!resolved) return;
        outcome = resolved;
      }
      await this.commit(event);
      this.options.onOutcome?.(event, outcome);
    }
  }

  private async resolveUntilDone(event: RecordedEvent): Promise<ResolutionOutcome | undefined> {
    let delay = this.options.retryDelayMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.options.resolver.process(event);
      } catch (err) {
        this.options.onTransientFailure?.(event, err, attempt);
        if (this.stopping) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        if (this.stopping) return undefined;
        delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 30_000);
      }
    }
  }

  /** Read-model effects of the event and the checkpoint, in one transaction. */
  private async commit(event: RecordedEvent): Promise<void> {
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
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
      await this.checkpoints.save(this.name, event.position, client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

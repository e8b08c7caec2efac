import type { Pool, PoolClient } from 'pg';
import type { Checkpoint, EventStore, RecordedEvent } from '../event-store.port';
import { DeadLetter, DeadLetterInput, describeError, isTransientDatabaseError, PgDeadLetterStore } from './dead-letters';
import type { SubscriptionStatusBoard } from './subscription-status';

export interface PoisonEventPolicy {
  /** Tries of one event (not counting transient failures) before it is dead-lettered. */
  maxAttempts: number;
  /** Wait before the second try; doubles up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How often an idle subscription looks for dead letters an operator asked to retry. */
  retryPollMs: number;
}

export const DEFAULT_POISON_EVENT_POLICY: PoisonEventPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, retryPollMs: 2_000 };

/** Statements to run in the worker's transaction (dead letters written with the checkpoint that moves past them). */
export type InTransaction = (client: PoolClient) => Promise<void>;

/**
 * The worker's one way to write: apply `events` (possibly none) and move its checkpoint to `to`
 * (`null`: leave the checkpoint, for a retried dead letter, which is behind it), and run `extra` in
 * the same transaction. All or nothing.
 */
export type CommitEvents = (events: RecordedEvent[], to: Checkpoint | null, extra: InTransaction) => Promise<void>;

export interface PoisonLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface PoisonEventHandlerOptions {
  subscription: string;
  pool: Pool;
  /** The store the subscription reads (decorated or not): retried dead letters are read from it again. */
  store: EventStore;
  policy?: Partial<PoisonEventPolicy>;
  /** Hold back the later events of a stream with a dead letter (projections folding a stream's events in order). */
  parkStreams: boolean;
  /** Failures that say nothing about the event (an unavailable dependency): tried again without limit, with back-off. */
  isTransient?: (err: unknown) => boolean;
  /** Errors the worker handles itself (a moved checkpoint): rethrown at once, never retried or dead-lettered. */
  propagate?: (err: unknown) => boolean;
  status?: SubscriptionStatusBoard;
  log?: PoisonLog;
  onTransientFailure?: (err: unknown, attempt: number, event: RecordedEvent | undefined) => void;
}

/** The worker is stopping: the batch in flight is abandoned (not checkpointed) and handled again after a restart. */
export class SubscriptionStoppingError extends Error {
  constructor(subscription: string) {
    super(`${subscription} is stopping`);
    this.name = 'SubscriptionStoppingError';
  }
}

const PARKED = 'parked: an earlier event of its stream is a dead letter';

/**
 * Bounded retries and dead letters for one subscription. A batch that fails is tried again event
 * by event; an event that still fails after `maxAttempts` tries (with back-off) is written to
 * `subscription_dead_letters` in the transaction that moves the checkpoint past it, and the
 * subscription goes on. With `parkStreams`, the later events of that stream are dead-lettered as
 * `parked` (same transaction rule) until an operator retries or skips the failed one; other streams
 * are not held up. Retries an operator asks for (`npm run cli -- dead-letters retry`) are applied
 * by the running subscription, in stream order, each in the transaction that marks it applied.
 */
export class PoisonEventHandler {
  readonly deadLetters: PgDeadLetterStore;
  private readonly policy: PoisonEventPolicy;
  private stopping = false;
  private wake?: () => void;
  private lock: Promise<unknown> = Promise.resolve();
  private poller?: NodeJS.Timeout;

  constructor(private readonly options: PoisonEventHandlerOptions) {
    this.deadLetters = new PgDeadLetterStore(options.pool);
    this.policy = { ...DEFAULT_POISON_EVENT_POLICY, ...options.policy };
  }

  get subscription(): string {
    return this.options.subscription;
  }

  /** (Re)arms the handler for a (re)started subscription, and polls for requested retries while it runs. */
  start(commit: CommitEvents): void {
    this.stopping = false;
    this.options.status?.report(this.subscription, 'running');
    if (!this.poller) {
      this.poller = setInterval(() => {
        this.processRetries(commit).catch((err: unknown) => {
          if (!(err instanceof SubscriptionStoppingError))
            this.options.log?.warn({ subscription: this.subscription, err: describeError(err) }, 'dead-letter retries failed; trying again later');
        });
      }, this.policy.retryPollMs);
      this.poller.unref();
    }
  }

  /** Interrupts any back-off wait: the batch in flight ends with SubscriptionStoppingError. */
  stop(): void {
    this.stopping = true;
    this.wake?.();
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  /** Handles one batch of the subscription: the subscription's handler calls this, and returns when it resolves. */
  handle(events: RecordedEvent[], checkpoint: Checkpoint, commit: CommitEvents): Promise<void> {
    return this.exclusive(async () => {
      await this.applyRetries(commit);
      const parked = this.options.parkStreams
        ? await this.deadLetters.parkedStreams(
            this.subscription,
            events.map((e) => e.streamId),
          )
        : new Set<string>();
      const blocked = events.filter((e) => parked.has(e.streamId));
      if (events.length > 1 || blocked.length > 0) {
        const ready = events.filter((e) => !parked.has(e.streamId));
        const parkedLetters = blocked.map((e): DeadLetterInput => ({ event: e, status: 'parked', error: PARKED, attempts: 0 }));
        try {
          await this.untilNotTransient(undefined, () => commit(ready, checkpoint, (c) => this.deadLetters.add(this.subscription, parkedLetters, c)));
          this.recorded(parkedLetters);
          this.options.status?.report(this.subscription, 'running');
          return;
        } catch (err) {
          if (this.stopping || this.mustPropagate(err)) throw this.stopping ? new SubscriptionStoppingError(this.subscription) : err;
          // Some event of the batch fails: find it by going one event at a time.
        }
      }
      await this.oneByOne(events, checkpoint, parked, commit);
    });
  }

  /** Applies the dead letters an operator asked to retry. Returns how many were applied. */
  processRetries(commit: CommitEvents): Promise<number> {
    return this.exclusive(() => this.applyRetries(commit));
  }

  private async oneByOne(events: RecordedEvent[], checkpoint: Checkpoint, parked: Set<string>, commit: CommitEvents): Promise<void> {
    const poisoned = new Set(parked);
    for (const event of events) {
      if (this.options.parkStreams && poisoned.has(event.streamId)) {
        const letter: DeadLetterInput = { event, status: 'parked', error: PARKED, attempts: 0 };
        await this.untilNotTransient(event, () => commit([], event.position, (c) => this.deadLetters.add(this.subscription, [letter], c)));
        this.recorded([letter]);
        continue;
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await this.untilNotTransient(event, () => commit([event], event.position, async () => undefined));
          this.options.status?.report(this.subscription, 'running');
          break;
        } catch (err) {
          if (this.stopping || this.mustPropagate(err)) throw this.stopping ? new SubscriptionStoppingError(this.subscription) : err;
          const error = describeError(err);
          if (attempt < this.policy.maxAttempts) {
            this.options.status?.report(this.subscription, 'retrying', error);
            this.options.log?.warn(
              { subscription: this.subscription, eventType: event.type, position: event.position, attempt, err: error },
              'event failed; trying it again',
            );
            await this.sleep(this.delay(attempt));
            continue;
          }
          const letter: DeadLetterInput = { event, status: 'failed', error, attempts: attempt };
          await this.untilNotTransient(event, () => commit([], event.position, (c) => this.deadLetters.add(this.subscription, [letter], c)));
          this.recorded([letter]);
          poisoned.add(event.streamId);
          this.options.status?.report(this.subscription, 'running');
          break;
        }
      }
    }
    const last = events[events.length - 1];
    if (last && last.position !== checkpoint) await this.untilNotTransient(undefined, () => commit([], checkpoint, async () => undefined));
  }

  private async applyRetries(commit: CommitEvents): Promise<number> {
    const queue = await this.deadLetters.retryQueue(this.subscription);
    const byStream = new Map<string, DeadLetter[]>();
    for (const l of queue) byStream.set(l.streamId, [...(byStream.get(l.streamId) ?? []), l]);
    let applied = 0;
    for (const letters of byStream.values()) {
      // A stream goes on from its oldest open dead letter, once that one is to be retried; what was
      // parked behind it follows in order; a failed one stops the stream again.
      if (letters[0]?.status !== 'retry') continue;
      for (const letter of letters) {
        if (this.stopping) throw new SubscriptionStoppingError(this.subscription);
        if (letter.status !== 'retry' && letter.status !== 'parked') break;
        const [event] = await this.options.store.readStream(letter.streamId, { fromRevision: letter.revision, maxCount: 1 });
        if (!event || event.id !== letter.eventId) {
          await this.deadLetters.markRetryFailed(letter, 'Error: the event is no longer at its stream revision');
          break;
        }
        try {
          await commit([event], null, (c) => this.deadLetters.markApplied(letter.id, c));
          applied++;
          this.options.log?.warn(
            { subscription: this.subscription, deadLetter: letter.id, eventType: event.type, position: event.position },
            'dead letter applied on retry',
          );
        } catch (err) {
          if (this.mustPropagate(err)) throw err;
          // Unavailable now: left queued for the next round.
          if (this.isTransient(err)) return applied;
          await this.deadLetters.markRetryFailed(letter, describeError(err));
          this.options.log?.error(
            { subscription: this.subscription, deadLetter: letter.id, eventType: event.type, err: describeError(err) },
            'dead letter failed again on retry',
          );
          break;
        }
      }
    }
    return applied;
  }

  /** Runs `work`; transient failures are tried again, without limit, with back-off (and the subscription reported retrying). */
  private async untilNotTransient(event: RecordedEvent | undefined, work: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return;
      } catch (err) {
        if (this.stopping) throw new SubscriptionStoppingError(this.subscription);
        if (this.mustPropagate(err) || !this.isTransient(err)) throw err;
        this.options.status?.report(this.subscription, 'retrying', describeError(err));
        this.options.onTransientFailure?.(err, attempt, event);
        await this.sleep(this.delay(attempt));
      }
    }
  }

  private recorded(letters: DeadLetterInput[]): void {
    if (letters.length === 0) return;
    this.options.status?.deadLettered(this.subscription, letters.length);
    for (const l of letters) {
      this.options.log?.error(
        { subscription: this.subscription, eventType: l.event.type, position: l.event.position, status: l.status, attempts: l.attempts, err: l.error },
        l.status === 'failed' ? 'event dead-lettered after its retries; the subscription goes on' : 'event parked behind a dead letter of its stream',
      );
    }
  }

  private isTransient(err: unknown): boolean {
    return (this.options.isTransient ?? isTransientDatabaseError)(err);
  }

  private mustPropagate(err: unknown): boolean {
    return err instanceof SubscriptionStoppingError || (this.options.propagate?.(err) ?? false);
  }

  private delay(attempt: number): number {
    return Math.min(this.policy.baseDelayMs * 2 ** (attempt - 1), this.policy.maxDelayMs);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.reject(new SubscriptionStoppingError(this.subscription));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        reject(new SubscriptionStoppingError(this.subscription));
      };
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

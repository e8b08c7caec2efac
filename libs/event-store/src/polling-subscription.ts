import type { Checkpoint, EventFilter, ReadAllResult, Subscription, SubscriptionHandler } from './event-store.port';

export interface PollingSubscriptionDeps {
  readAll(after: Checkpoint | null, maxCount: number, filter?: EventFilter): Promise<ReadAllResult>;
  /** A counter that moves on every wake-up signal. */
  generation(): number;
  /** Resolves on a wake-up signal after `since` (at once if one came already), or after the timeout. */
  wait(timeoutMs: number, signal: { stopped: boolean; onStop?: () => void }, since: number): Promise<void>;
}

export interface PollingSubscriptionOptions {
  after: Checkpoint | null;
  filter?: EventFilter;
  batchSize: number;
  pollIntervalMs: number;
  handler: SubscriptionHandler;
  /** Read the next batch while the handler applies a full one (`SubscribeOptions.readAhead`). */
  readAhead?: boolean;
}

/**
 * Catch-up and live are one loop over the same query: read a batch after the checkpoint, hand it
 * to the handler, move the checkpoint; when nothing is left, wait for a wake-up or the poll
 * interval. There is no hand-over between two mechanisms, so there is no gap or duplicate to get wrong.
 */
export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private readonly signal: { stopped: boolean; onStop?: () => void } = { stopped: false };
  private resolveCaughtUp!: () => void;
  private readonly caughtUpPromise = new Promise<void>((r) => (this.resolveCaughtUp = r));

  constructor(
    private readonly deps: PollingSubscriptionDeps,
    private readonly options: PollingSubscriptionOptions,
  ) {
    this.done = this.run();
    // Callers that only stop() must not get an unhandled rejection warning.
    this.done.catch(() => undefined);
  }

  caughtUp(): Promise<void> {
    return Promise.race([this.caughtUpPromise, this.done]);
  }

  async stop(): Promise<void> {
    this.signal.stopped = true;
    this.signal.onStop?.();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let checkpoint = this.options.after;
    // After a wake-up that found nothing (a transaction below the horizon is still open),
    // poll again soon rather than waiting for the full interval.
    let idleDelay = 5;
    // The next batch, already being read while the handler applied the one before (read ahead).
    let ahead: { generation: number; batch: Promise<ReadAllResult> } | null = null;
    try {
      while (!this.signal.stopped) {
        let generation: number;
        let batch: ReadAllResult;
        if (ahead) {
          ({ generation } = ahead);
          const pending = ahead.batch;
          ahead = null;
          batch = await pending;
        } else {
          generation = this.deps.generation();
          batch = await this.deps.readAll(checkpoint, this.options.batchSize, this.options.filter);
        }
        if (this.signal.stopped) return;
        if (batch.events.length > 0 && batch.checkpoint !== null) {
          // A full batch says more is waiting: the read of the next one (after this batch's
          // checkpoint, exactly what it would be read after once the handler resolves) overlaps
          // the handler. It is handed over only after the handler resolved; if the handler
          // throws, it is dropped with the subscription.
          if (this.options.readAhead && batch.events.length >= this.options.batchSize) {
            const next = { generation: this.deps.generation(), batch: this.deps.readAll(batch.checkpoint, this.options.batchSize, this.options.filter) };
            next.batch.catch(() => undefined);
            ahead = next;
          }
          await this.options.handler(batch.events, batch.checkpoint);
          checkpoint = batch.checkpoint;
          idleDelay = 5;
          continue;
        }
        this.resolveCaughtUp();
        await this.deps.wait(idleDelay, this.signal, generation);
        idleDelay = Math.min(idleDelay * 2, this.options.pollIntervalMs);
      }
    } finally {
      // A read still in flight when the subscription ends is waited for (its connection back in the pool) and dropped.
      if (ahead) await ahead.batch.catch(() => undefined);
    }
  }
}

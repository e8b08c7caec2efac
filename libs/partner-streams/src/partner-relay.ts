import type { PartnerCloudEvent } from './cloudevent';

/** One message of a partner's stream and its place in it. */
export interface RelayMessage {
  /** Position in the partner's stream (the outbox sequence), as a decimal string. */
  position: string;
  event: PartnerCloudEvent;
  /** The W3C `traceparent` of the command that caused it (internal: for the delivery's trace links, never sent). */
  traceparent?: string;
}

/**
 * Where a partner's messages go (a Kafka topic in production). `send` resolves only once the
 * destination has acknowledged every message of the batch; until then the relay does not move
 * its checkpoint. A rejection leaves the checkpoint where it was, so the batch is sent again.
 */
export interface PartnerSink {
  send(partnerId: string, messages: readonly RelayMessage[]): Promise<void>;
}

/** Reads a partner's stream after a position. */
export interface RelaySource {
  read(partnerId: string, after: string | null, limit: number): Promise<RelayMessage[]>;
  /** Resolves when new messages may be there, or after `timeoutMs`. */
  wait(partnerId: string, timeoutMs: number, signal: AbortSignal): Promise<void>;
}

export interface RelayCheckpoints {
  load(name: string): Promise<string | null>;
  save(name: string, position: string): Promise<void>;
}

export interface PartnerRelayOptions {
  partnerId: string;
  /** Checkpoint name; `partner-relay:<partnerId>:<channel>` by default. */
  name?: string;
  batchSize?: number;
  idleWaitMs?: number;
  /** First retry delay after a failed send (doubles up to `maxRetryDelayMs`). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  onError?(err: unknown, attempt: number): void;
}

/**
 * At-least-once relay of one partner's stream to a sink: read a batch after the checkpoint, send
 * it, and only after the sink acknowledged it save the checkpoint. A crash between the ack and
 * the save sends the batch again (same ids; partners drop duplicates by id); nothing is ever
 * skipped, and the order of the stream (hence per child key) is kept because a batch is retried
 * whole before anything after it is sent.
 */
export class PartnerRelay {
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  readonly name: string;

  constructor(
    private readonly source: RelaySource,
    private readonly sink: PartnerSink,
    private readonly checkpoints: RelayCheckpoints,
    private readonly options: PartnerRelayOptions,
  ) {
    this.name = options.name ?? `partner-relay:${options.partnerId}`;
  }

  /** Sends every batch available now; returns how many messages were acknowledged. Throws what the sink threw. */
  async drain(): Promise<number> {
    let sent = 0;
    let after = await this.checkpoints.load(this.name);
    for (;;) {
      const batch = await this.source.read(this.options.partnerId, after, this.options.batchSize ?? 500);
      if (batch.length === 0) return sent;
      await this.sink.send(this.options.partnerId, batch);
      after = batch[batch.length - 1]!.position;
      await this.checkpoints.save(this.name, after);
      sent += batch.length;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const sent = await this.drain();
        attempt = 0;
        if (sent === 0) await this.source.wait(this.options.partnerId, this.options.idleWaitMs ?? 250, signal);
      } catch (err) {
        attempt++;
        this.options.onError?.(err, attempt);
        const delay = Math.min((this.options.retryDelayMs ?? 100) * 2 ** (attempt - 1), this.options.maxRetryDelayMs ?? 10_000);
        await sleep(delay, signal);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

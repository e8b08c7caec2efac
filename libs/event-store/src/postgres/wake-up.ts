import { EventEmitter } from 'node:events';
import { Client, ClientConfig } from 'pg';

export const EVENTS_CHANNEL = 'childledger_events';

/**
 * Wakes subscribers when events are committed. Writers do not NOTIFY inside their transaction
 * (PostgreSQL serialises the commits of notifying transactions); instead the adapter sends one
 * coalesced NOTIFY after its appends commit. A lost notification only delays delivery until the
 * next poll: correctness never depends on it.
 */
export class WakeUp {
  private readonly emitter = new EventEmitter();
  private listener: Client | null = null;
  private notifyPending = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private wakeUps = 0;

  constructor(
    private readonly clientConfig: ClientConfig,
    private readonly notify: (sql: string) => Promise<unknown>,
    private readonly coalesceMs = 10,
  ) {
    this.emitter.setMaxListeners(0);
    this.emitter.on('wake', () => this.wakeUps++);
  }

  generation(): number {
    return this.wakeUps;
  }

  /**
   * Called after an append commits. Same-process subscribers are woken at once; other
   * processes get at most one NOTIFY per coalescing window, however many appends commit in it.
   */
  poke(): void {
    this.emitter.emit('wake');
    if (this.notifyPending || this.closed) return;
    this.notifyPending = true;
    const timer = setTimeout(() => {
      this.notifyPending = false;
      this.notify(`NOTIFY ${EVENTS_CHANNEL}`).catch(() => undefined);
    }, this.coalesceMs);
    timer.unref();
  }

  /** Resolves on the next wake-up (at once if one came after `since`) or after `timeoutMs`. */
  wait(timeoutMs: number, signal?: { stopped: boolean; onStop?: () => void }, since?: number): Promise<void> {
    this.ensureListening();
    if ((since !== undefined && since !== this.wakeUps) || signal?.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('wake', done);
        if (signal) signal.onStop = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.on('wake', done);
      if (signal) signal.onStop = done;
    });
  }

  private ensureListening(): void {
    if (this.listener || this.closed || this.reconnectTimer) return;
    const client = new Client(this.clientConfig);
    this.listener = client;
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        this.emitter.emit('wake');
      }, 1000);
      this.reconnectTimer.unref();
    };
    client.on('notification', () => this.emitter.emit('wake'));
    client.on('error', retry);
    client.on('end', retry);
    client
      .connect()
      .then(() => client.query(`LISTEN ${EVENTS_CHANNEL}`))
      .catch(retry);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.emitter.emit('wake');
    const l = this.listener;
    this.listener = null;
    if (l) await l.end().catch(() => undefined);
  }
}

import type { Pool, PoolClient } from 'pg';

/**
 * The two-integer advisory-lock space leases live in ("LEAS"): apart from the single-bigint locks
 * (migrations, the log sealer) and from every other two-integer use.
 */
const LEASE_LOCK_CLASS = 0x4c454153;

export interface LeaseLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface LeaseKeeperOptions {
  /** How often a standby tries to take a lease another replica holds. */
  retryMs?: number;
  /** How often the holder checks its lease connection is alive (a lost connection loses every lease). */
  heartbeatMs?: number;
  /** Told when this process takes or loses a lease (names only). */
  onChange?: (name: string, held: boolean) => void;
  log?: LeaseLog;
}

/** A lease this process holds: `lost` aborts when its connection is lost (another replica may then take it). */
export interface HeldLease {
  name: string;
  lost: AbortSignal;
}

/**
 * One active worker per name across replicas: PostgreSQL session-level advisory locks, all held on
 * one dedicated connection of this process. Whoever holds a lease runs the work; the others wait
 * and try again every `retryMs`. When the holder dies or its connection drops, PostgreSQL releases
 * its locks and a standby takes over; the holder notices the lost connection (its `error`/`end`
 * events, or a failed heartbeat) and aborts its work, so two replicas never both believe they hold
 * a lease for longer than the heartbeat. Work that must never overlap by even that much keeps its
 * own fence (the projector's checkpoint check); the relays promise at least once, which a short
 * overlap keeps.
 */
export class LeaseKeeper {
  private client: PoolClient | undefined;
  private connecting: Promise<PoolClient> | undefined;
  private readonly held = new Map<string, AbortController>();
  private readonly retryMs: number;
  private readonly heartbeatMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: LeaseKeeperOptions = {},
  ) {
    this.retryMs = options.retryMs ?? 2_000;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
  }

  /** Names of the leases this process holds now. */
  holding(): string[] {
    return [...this.held.keys()];
  }

  /** Takes the lease if no other replica holds it; null when one does. */
  async tryAcquire(name: string): Promise<HeldLease | null> {
    if (this.closed) throw new Error('the lease keeper is closed');
    const existing = this.held.get(name);
    if (existing && !existing.signal.aborted) return { name, lost: existing.signal };
    const client = await this.connection();
    const res = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LEASE_LOCK_CLASS, name]);
    if (res.rows[0]?.ok !== true) return null;
    if (client !== this.client) {
      // The connection was lost while the lock was being taken: it went with it.
      return null;
    }
    const controller = new AbortController();
    this.held.set(name, controller);
    this.options.onChange?.(name, true);
    this.options.log?.info({ lease: name }, 'lease taken: this replica runs it');
    this.armHeartbeat();
    return { name, lost: controller.signal };
  }

  /** Waits until the lease is taken (or `stop` aborts: then null); `onWait` is told once if it must wait. */
  async acquire(name: string, stop: AbortSignal, onWait?: () => void): Promise<HeldLease | null> {
    for (let waited = false; ;) {
      if (stop.aborted || this.closed) return null;
      try {
        const lease = await this.tryAcquire(name);
        if (lease) return lease;
        if (!waited) onWait?.();
        waited = true;
      } catch (err) {
        this.options.log?.warn({ lease: name, err: err instanceof Error ? err.message : String(err) }, 'lease could not be checked; trying again');
      }
      await sleep(this.retryMs, stop);
    }
  }

  /** Gives the lease up (after its work stopped), so a standby may take it at once. */
  async release(name: string): Promise<void> {
    const controller = this.held.get(name);
    if (!controller) return;
    this.held.delete(name);
    this.options.onChange?.(name, false);
    if (controller.signal.aborted || !this.client) return;
    await this.client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LEASE_LOCK_CLASS, name]).catch(() => undefined);
  }

  /**
   * Runs `work` whenever this process holds `name`, until `stop` aborts: waits for the lease
   * (`onStandby` is told when another replica holds it),
   * runs `work(signal)` (the signal aborts when the lease is lost or on stop; work then winds down
   * and returns), gives the lease up, and waits for it again unless stopping. Work that throws is
   * logged and started again after `retryMs`, once the lease is taken again.
   */
  async runWhileHeld(name: string, stop: AbortSignal, work: (signal: AbortSignal) => Promise<void>, onStandby?: () => void): Promise<void> {
    while (!stop.aborted && !this.closed) {
      const lease = await this.acquire(name, stop, onStandby);
      if (!lease) return;
      const signal = AbortSignal.any([lease.lost, stop]);
      try {
        await work(signal);
      } catch (err) {
        this.options.log?.warn(
          { lease: name, err: err instanceof Error ? err.message : String(err) },
          'leased work failed; giving the lease up and trying again',
        );
        await this.release(name);
        await sleep(this.retryMs, stop);
        continue;
      }
      await this.release(name);
      if (lease.lost.aborted) this.options.log?.warn({ lease: name }, 'lease lost (its connection dropped): waiting to take it again');
    }
  }

  /** Releases every lease and the connection. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const name of [...this.held.keys()]) await this.release(name);
    const client = this.client;
    this.client = undefined;
    client?.release();
  }

  private async connection(): Promise<PoolClient> {
    if (this.client) return this.client;
    this.connecting ??= this.pool.connect().then(
      (client) => {
        this.connecting = undefined;
        if (this.closed) {
          client.release();
          throw new Error('the lease keeper is closed');
        }
        const lost = (err?: Error) => this.lost(client, err);
        client.on('error', lost);
        client.on('end', () => lost());
        this.client = client;
        return client;
      },
      (err: unknown) => {
        this.connecting = undefined;
        throw err;
      },
    );
    return this.connecting;
  }

  /** The connection is gone, and with it every lock it held: every holder's work is aborted. */
  private lost(client: PoolClient, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    // Destroy rather than return it to the pool: it is broken.
    client.release(err ?? new Error('lease connection ended'));
    for (const [name, controller] of this.held) {
      controller.abort(new Error(`lease ${name} lost`));
      this.options.onChange?.(name, false);
    }
    this.held.clear();
  }

  private armHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      const client = this.client;
      if (!client || this.held.size === 0) return;
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('lease heartbeat timed out')), this.heartbeatMs).unref());
      Promise.race([client.query('SELECT 1'), timeout]).catch((err: unknown) => this.lost(client, err instanceof Error ? err : new Error(String(err))));
    }, this.heartbeatMs);
    this.heartbeat.unref();
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

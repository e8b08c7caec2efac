/**
 * What each subscription worker of this process is doing, for readiness and metrics. Workers
 * report; `/health/ready` reads (libs/platform). Holds names, states, counts and error
 * descriptions only (see `describeError`), never event data.
 */
export type SubscriptionState =
  /** Applying, or waiting for new events. */
  | 'running'
  /** Trying the same work again (an unavailable dependency, or a failing event before it is dead-lettered). */
  | 'retrying'
  /** Crashed; the supervisor restarts it after a back-off. */
  | 'restarting'
  /** Another replica holds its lease: this one waits to take over. */
  | 'standby'
  /** Stopped on an error and not restarting: nothing is applied any more. */
  | 'failed'
  /** Stopped on purpose (shutdown). */
  | 'stopped';

export interface SubscriptionStatus {
  name: string;
  state: SubscriptionState;
  /** When it entered this state. */
  since: Date;
  lastError?: string;
  /** Events this process dead-lettered (failed or parked) since it started. */
  deadLettered: number;
  /** Restarts after a crash since this process started. */
  restarts: number;
}

export interface SubscriptionHealthProblem {
  name: string;
  state: SubscriptionState;
  since: Date;
  lastError?: string;
}

export class SubscriptionStatusBoard {
  private readonly statuses = new Map<string, SubscriptionStatus>();

  constructor(
    /** A subscription retrying or restarting for longer than this is reported stuck. */
    public stuckAfterMs = 60_000,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  report(name: string, state: SubscriptionState, lastError?: string): void {
    const current = this.statuses.get(name);
    if (!current) {
      this.statuses.set(name, { name, state, since: this.clock(), lastError, deadLettered: 0, restarts: 0 });
      return;
    }
    if (current.state !== state) {
      current.state = state;
      current.since = this.clock();
    }
    if (state === 'restarting') current.restarts++;
    if (lastError !== undefined || state === 'running') current.lastError = lastError;
  }

  deadLettered(name: string, count: number): void {
    const current = this.statuses.get(name);
    if (current) current.deadLettered += count;
    else this.statuses.set(name, { name, state: 'running', since: this.clock(), deadLettered: count, restarts: 0 });
  }

  get(name: string): SubscriptionStatus | undefined {
    const s = this.statuses.get(name);
    return s ? { ...s } : undefined;
  }

  all(): SubscriptionStatus[] {
    return [...this.statuses.values()].map((s) => ({ ...s }));
  }

  /** Subscriptions that stopped on an error, or have been retrying or restarting for longer than `stuckAfterMs`. */
  problems(): SubscriptionHealthProblem[] {
    const now = this.clock().getTime();
    return this.all()
      .filter((s) => s.state === 'failed' || ((s.state === 'retrying' || s.state === 'restarting') && now - s.since.getTime() >= this.stuckAfterMs))
      .map(({ name, state, since, lastError }) => ({ name, state, since, lastError }));
  }
}

import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { LeaseKeeper } from '@childledger/database';
import { EventStore, RecordedEvent, SubscriptionStatusBoard, SubscriptionStoppingError } from '@childledger/event-store';
import {
  ChildrenIndexStore,
  HttpNationalPopulationRegistry,
  IdentityResolver,
  IdentitySubscription,
  NationalPopulationRegistry,
  ResolutionOutcome,
  ReviewQueueStore,
  failureKind,
} from '@childledger/identity';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import type { MatchEngine } from '@childledger/matching';
import { EVENT_STORE, PG_POOL, SUBSCRIPTION_STATUS } from '@childledger/platform';

export const NATIONAL_REGISTRY = Symbol('NationalPopulationRegistry');
export const MATCH_ENGINE = Symbol('MatchEngine');
export const ADAPTER_SETTINGS = Symbol('IdentityAdapterSettings');

export interface IdentityAdapterSettings {
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** false in tests that drive start/stop themselves. */
  autoStart: boolean;
}

/** Runs the adapter's subscription for the life of the application. Logs carry ids and outcomes only. */
@Injectable()
export class IdentityAdapterService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IdentityAdapter');
  readonly subscription: IdentitySubscription;
  readonly outcomes: { eventId: string; type: string; outcome: ResolutionOutcome | { kind: 'followed' } }[] = [];
  transientFailures = 0;
  private lease: { leases: LeaseKeeper; stop: AbortController; leased: Promise<void> } | undefined;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NATIONAL_REGISTRY) readonly registry: NationalPopulationRegistry,
    @Inject(MATCH_ENGINE) engine: MatchEngine,
    @Inject(ADAPTER_SETTINGS) private readonly settings: IdentityAdapterSettings,
    @Inject(SUBSCRIPTION_STATUS) private readonly status: SubscriptionStatusBoard,
  ) {
    const reviewQueue = new ReviewQueueStore(pool);
    const resolver = new IdentityResolver({ store, registry, engine, units: loadAdministrativeUnits(), reviewQueue });
    this.subscription = new IdentitySubscription({
      store,
      pool,
      resolver,
      reviewQueue,
      children: new ChildrenIndexStore(pool),
      retryDelayMs: settings.retryDelayMs,
      maxRetryDelayMs: settings.maxRetryDelayMs,
      onOutcome: (event, outcome) => this.record(event, outcome),
      status,
      log: { warn: (obj, msg) => this.logger.warn(obj, msg), error: (obj, msg) => this.logger.error(obj, msg) },
      onTransientFailure: (event, err, attempt) => {
        this.transientFailures++;
        this.logger.warn(
          { eventId: event.id, eventType: event.type, failure: failureKind(err), attempt },
          'national database unavailable; will try the event again',
        );
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.autoStart) await this.start();
  }

  /**
   * Runs the subscription while this replica holds the adapter's lease (one adapter deciding at a
   * time across replicas; the others stand by and one takes over when it goes). A subscription that
   * stops on an error gives the lease up and is started again after a back-off. Resolves once the
   * subscription runs here, or once another replica is found to hold the lease.
   */
  async start(): Promise<void> {
    const leases = new LeaseKeeper(this.pool, { log: { info: (obj, msg) => this.logger.log(obj, msg), warn: (obj, msg) => this.logger.warn(obj, msg) } });
    const stop = new AbortController();
    let started!: () => void;
    const first = new Promise<void>((r) => (started = r));
    const name = this.subscription.name;
    const leased = leases.runWhileHeld(
      'identity-adapter',
      stop.signal,
      async (signal) => {
        await this.subscription.start();
        started();
        const ended = this.subscription.done.then(
          () => undefined,
          (err: unknown) => {
            if (!(err instanceof SubscriptionStoppingError)) {
              this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'identity subscription stopped on an error; restarting it');
              throw err;
            }
          },
        );
        await Promise.race([new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true }))), ended]);
        await this.subscription.stop();
        await ended;
      },
      () => {
        this.status.report(name, 'standby');
        started();
      },
    );
    this.lease = { leases, stop, leased };
    await first;
  }

  async stop(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (!lease) return this.subscription.stop();
    lease.stop.abort();
    await lease.leased;
    await lease.leases.close();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop().catch(() => undefined);
    if (this.registry instanceof HttpNationalPopulationRegistry) await this.registry.close();
  }

  private record(event: RecordedEvent, outcome: ResolutionOutcome | { kind: 'followed' }): void {
    this.outcomes.push({ eventId: event.id, type: event.type, outcome });
    if (this.outcomes.length > 1000) this.outcomes.shift();
    if (outcome.kind !== 'followed') this.logger.log({ eventId: event.id, eventType: event.type, outcome: outcome.kind }, 'identity decision');
  }
}

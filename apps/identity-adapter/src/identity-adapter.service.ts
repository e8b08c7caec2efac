import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
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

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PG_POOL) pool: Pool,
    @Inject(NATIONAL_REGISTRY) readonly registry: NationalPopulationRegistry,
    @Inject(MATCH_ENGINE) engine: MatchEngine,
    @Inject(ADAPTER_SETTINGS) private readonly settings: IdentityAdapterSettings,
    @Inject(SUBSCRIPTION_STATUS) status: SubscriptionStatusBoard,
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

  async start(): Promise<void> {
    await this.subscription.start();
    this.subscription.done.catch((err: unknown) => {
      if (!(err instanceof SubscriptionStoppingError))
        this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'identity subscription stopped on an error');
    });
  }

  async stop(): Promise<void> {
    await this.subscription.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription.stop().catch(() => undefined);
    if (this.registry instanceof HttpNationalPopulationRegistry) await this.registry.close();
  }

  private record(event: RecordedEvent, outcome: ResolutionOutcome | { kind: 'followed' }): void {
    this.outcomes.push({ eventId: event.id, type: event.type, outcome });
    if (this.outcomes.length > 1000) this.outcomes.shift();
    if (outcome.kind !== 'followed') this.logger.log({ eventId: event.id, eventType: event.type, outcome: outcome.kind }, 'identity decision');
  }
}

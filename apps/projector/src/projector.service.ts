import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { Histogram, Registry } from 'prom-client';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { LeaseKeeper } from '@childledger/database';
import type { EventStore, SubscriptionStatusBoard } from '@childledger/event-store';
import { EVENT_STORE, METRICS_REGISTRY, PG_POOL, SUBSCRIPTION_STATUS, subscriptionGauges } from '@childledger/platform';
import { checkpointName, PROJECTIONS, positionOf, ProjectionRunner, UnitResolver } from '@childledger/read-models';

export const PROJECTOR_SETTINGS = Symbol('ProjectorSettings');

export interface ProjectorSettings {
  batchSize: number;
  /** How often lag (events behind the head of the log) is measured. */
  lagIntervalMs: number;
  autoStart: boolean;
}

/** Runs every projection's subscription and reports position and lag as Prometheus metrics. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('projector');
  private runner: ProjectionRunner | undefined;
  private leases: LeaseKeeper | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly positions = new Map<string, number>();
  private readonly lagSeconds: Histogram<'subscription'>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
    @Inject(SUBSCRIPTION_STATUS) private readonly status: SubscriptionStatusBoard,
  ) {
    this.lagSeconds =
      (registry.getSingleMetric('childledger_projection_lag_seconds') as Histogram<'subscription'> | undefined) ??
      new Histogram({
        name: 'childledger_projection_lag_seconds',
        help: 'Time from an event being recorded to its batch being committed to the read models',
        labelNames: ['subscription'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60],
        registers: [registry],
      });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.autoStart) await this.start();
  }

  async start(): Promise<void> {
    const gauges = subscriptionGauges(this.registry);
    // Replicas of the projector share the work: each projection runs in the one that holds its lease.
    this.leases = new LeaseKeeper(this.pool, { log: { info: (obj, msg) => this.log.log(obj, msg), warn: (obj, msg) => this.log.warn(obj, msg) } });
    this.runner = new ProjectionRunner({
      leases: this.leases,
      store: this.store,
      pool: this.pool,
      projections: PROJECTIONS,
      units: new UnitResolver(loadAdministrativeUnits()),
      batchSize: this.settings.batchSize,
      onBatch: (b) => {
        const position = positionOf(b.checkpoint);
        this.positions.set(b.projection, position);
        gauges.position.set({ subscription: checkpointName(b.projection) }, position);
        this.lagSeconds.observe({ subscription: checkpointName(b.projection) }, Math.max(0, (Date.now() - b.lastRecordedAt.getTime()) / 1000));
      },
      onError: (projection, err) => this.log.error({ err, projection }, 'projection failed; resubscribing'),
      status: this.status,
      log: { warn: (obj, msg) => this.log.warn(obj, msg), error: (obj, msg) => this.log.error(obj, msg) },
    });
    await this.runner.start();
    // Lag in events: the head of the log's position minus each projection's (metadata only, no event is read).
    this.timer = setInterval(() => {
      this.pool
        .query<{ head: string }>('SELECT coalesce(max(global_position), 0)::text AS head FROM events')
        .then(({ rows }) => {
          const head = Number(rows[0]!.head);
          for (const p of PROJECTIONS) gauges.lag.set({ subscription: checkpointName(p.name) }, Math.max(0, head - (this.positions.get(p.name) ?? 0)));
        })
        .catch(() => undefined);
    }, this.settings.lagIntervalMs);
    this.timer.unref();
  }

  caughtUp(): Promise<void> {
    return this.runner?.caughtUp() ?? Promise.resolve();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.runner?.stop();
    await this.leases?.close();
  }
}

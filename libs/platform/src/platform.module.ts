import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Pool } from 'pg';
import { createPool } from '@childledger/database';
import { createEventStoreDbEventStore, createPostgresEventStore, EventStore, SubscriptionStatusBoard } from '@childledger/event-store';
import { DATA_KEYRING, DataKeyring, EncryptingEventStore, PgDataKeyring, resolveKeyEncryptionKey, resolvePreviousKeyEncryptionKeys } from '@childledger/trust';
import { AUTH_OPTIONS, AuthGuard, AuthOptions } from './auth';
import type { PlatformConfig } from './config/platform.config';
import { HealthController } from './health/health.controller';
import { ReadAuditWriter } from './read-policy/read-audit';
import { createMetricsRegistry, METRICS_REGISTRY, MetricsController, registerSubscriptionStatusMetrics } from './metrics/metrics';
import { MetricsServer } from './metrics/metrics-server';
import { registerPoolMetrics } from './metrics/pool-metrics';
import { TracingEventStore } from './tracing/trace-context';
import { tracingStarted } from './tracing/tracing';
import { createLogger, httpLoggerParams } from './logging/logger';
import { PgThrottlerStorage } from './rate-limit/pg-throttler-storage';
import { UserThrottlerGuard } from './rate-limit/user-throttler.guard';
import { EVENT_STORE, PG_POOL, PLATFORM_CONFIG, SERVICE_NAME, SUBSCRIPTION_STATUS } from './tokens';

export interface PlatformModuleOptions {
  service: string;
  config: PlatformConfig;
  /** The database this service works in (migrations already applied). */
  databaseUrl: string;
  /** Connection pool size for this service. */
  poolSize?: number;
  /** How bearer tokens are verified (issuer, audience, keys). */
  auth: AuthOptions;
  /** Per-user rate limits (USER_RATE_LIMIT_PER_MINUTE, IMPORT_RATE_LIMIT_PER_MINUTE), counted in PostgreSQL across replicas. */
  userRateLimits?: boolean;
}

/** Closes what the platform opened, in order, when Nest shuts down. */
class PlatformShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  private closed = false;

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.close();
    await this.pool.end();
  }
}

/**
 * What every ChildLedger service has: validated configuration, JSON logs with correlation ids,
 * a PostgreSQL pool running as the application role, the event store, and health endpoints.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const logger = createLogger(options.service, options.config.LOG_LEVEL);
    const poolSize = options.poolSize ?? 20;
    return {
      module: PlatformModule,
      global: true,
      imports: [LoggerModule.forRoot(httpLoggerParams(logger)), TerminusModule.forRoot({ logger: false })],
      // With METRICS_PORT, metrics leave only through the internal listener (MetricsServer): no
      // /api/v1/metrics route, so no admin token is ever handed to a scraper. Without it (npm start,
      // tests), the admin-only route serves them.
      controllers: [HealthController, ...(options.config.METRICS_PORT === undefined ? [MetricsController] : [])],
      providers: [
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: PLATFORM_CONFIG, useValue: options.config },
        { provide: PG_POOL, useFactory: () => createPool(options.databaseUrl, { max: poolSize, application_name: options.service }) },
        // Per-child data keys (crypto-shredding, docs/trust.md), wrapped by CHILDLEDGER_KEK.
        // CHILDLEDGER_KEK_PREVIOUS only unwraps keys not yet rewrapped after a KEK rotation (`npm run cli -- keys rewrap`).
        {
          provide: DATA_KEYRING,
          inject: [PG_POOL],
          useFactory: (pool: Pool) => {
            const kek = resolveKeyEncryptionKey(options.config.CHILDLEDGER_KEK);
            return new PgDataKeyring(pool, { kek, previous: resolvePreviousKeyEncryptionKeys(options.config.CHILDLEDGER_KEK_PREVIOUS, kek) });
          },
        },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL, DATA_KEYRING],
          // Every service reads and writes through the encrypting decorator: personal data is sealed on append, opened (or masked once erased) on read.
          // The decorator forwards the backend's capabilities (docs/architecture.md, "Port capabilities"); appends inside a caller's transaction are encrypted too.
          // With tracing on (OTEL_* variables), appends carry the W3C trace context in each event's metadata and every
          // subscription batch is a span linked to the commands that wrote its events (tracing/trace-context.ts).
          useFactory: (pool: Pool, keyring: DataKeyring): EventStore => {
            const backend =
              options.config.EVENT_STORE_BACKEND === 'eventstoredb'
                ? createEventStoreDbEventStore({ connectionString: options.config.EVENTSTORE_URL! })
                : createPostgresEventStore({ pool });
            return new EncryptingEventStore(tracingStarted() ? new TracingEventStore(backend) : backend, keyring);
          },
        },
        { provide: AUTH_OPTIONS, useValue: options.auth },
        // What each subscription worker of this process is doing (dead letters, retrying, stopped): readiness and metrics read it.
        { provide: SUBSCRIPTION_STATUS, useFactory: () => new SubscriptionStatusBoard() },
        {
          provide: METRICS_REGISTRY,
          inject: [SUBSCRIPTION_STATUS, PG_POOL],
          useFactory: (status: SubscriptionStatusBoard, pool: Pool) =>
            registerPoolMetrics(registerSubscriptionStatusMetrics(createMetricsRegistry(options.service), status), pool, poolSize),
        },
        // The internal metrics listener on METRICS_PORT; HTTP applications (createApp) turn it on.
        MetricsServer,
        { provide: APP_GUARD, useClass: AuthGuard },
        // After authentication (global guards run in this order): the key is the user.
        ...(options.userRateLimits
          ? [
              {
                provide: APP_GUARD,
                inject: [PG_POOL, Reflector],
                useFactory: (pool: Pool, reflector: Reflector) =>
                  UserThrottlerGuard.create(
                    { perMinute: options.config.USER_RATE_LIMIT_PER_MINUTE, importsPerMinute: options.config.IMPORT_RATE_LIMIT_PER_MINUTE },
                    new PgThrottlerStorage(pool),
                    reflector,
                  ),
              },
            ]
          : []),
        // The read audit: every service that shows personal data writes its reads here (read-policy/).
        ReadAuditWriter,
        PlatformShutdown,
      ],
      exports: [SERVICE_NAME, PLATFORM_CONFIG, PG_POOL, EVENT_STORE, DATA_KEYRING, METRICS_REGISTRY, MetricsServer, SUBSCRIPTION_STATUS, ReadAuditWriter],
    };
  }
}

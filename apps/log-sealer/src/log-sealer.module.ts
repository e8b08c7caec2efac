import { BeforeApplicationShutdown, DynamicModule, Inject, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { EventStore, requireCapabilities } from '@childledger/event-store';
import { EVENT_STORE, PG_POOL, PLATFORM_CONFIG, PlatformConfig, PlatformModule, PlatformModuleOptions } from '@childledger/platform';
import { LogSealer, resolveSealKey, SealKey } from '@childledger/trust';
import { Logger } from 'nestjs-pino';
import { SealMetrics } from './seal-metrics';
import { TrustController } from './trust.controller';
import { ADMIN_UNITS, LOG_SEALER, SEAL_KEY } from './tokens';

/**
 * Starts the sealer with the application and stops it (after a final checkpoint) before the pool
 * closes. The sealer chains the stored rows of PostgreSQL's `events` table: on a backend without the
 * port's `stored-log` capability (EventStoreDB) there is nothing it could seal, so the service
 * refuses to start, naming the capability, rather than run and sign nothing.
 */
class SealerLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(LOG_SEALER) private readonly sealer: LogSealer,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}
  onModuleInit(): void {
    requireCapabilities(this.store, ['stored-log'], 'the log sealer', this.config.EVENT_STORE_BACKEND);
  }
  onApplicationBootstrap(): void {
    this.sealer.start();
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.sealer.stop();
  }
}

/** The log sealer: chains and signs the global log, and serves public keys, checkpoints and inclusion proofs. */
@Module({})
export class LogSealerModule {
  static forRoot(options: Omit<PlatformModuleOptions, 'service'>): DynamicModule {
    return {
      module: LogSealerModule,
      imports: [PlatformModule.forRoot({ ...options, service: 'log-sealer', poolSize: options.poolSize ?? 5 })],
      controllers: [TrustController],
      providers: [
        { provide: SEAL_KEY, useFactory: () => resolveSealKey(options.config.CHILDLEDGER_SEAL_KEY) },
        { provide: ADMIN_UNITS, useFactory: () => loadAdministrativeUnits() },
        {
          provide: LOG_SEALER,
          inject: [PG_POOL, SEAL_KEY, Logger],
          useFactory: (pool: Pool, key: SealKey, logger: Logger) =>
            new LogSealer({
              pool,
              key,
              everyEvents: options.config.SEAL_EVERY_EVENTS,
              everyMs: options.config.SEAL_EVERY_SECONDS * 1000,
              onError: (err) => logger.error({ err }, 'log sealer step failed; retrying'),
            }),
        },
        SealerLifecycle,
        // childledger_log_seal_age_seconds and childledger_log_unsealed_events, read at each scrape.
        SealMetrics,
      ],
    };
  }
}

import { BeforeApplicationShutdown, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { Pool } from 'pg';
import type { EventStore } from '@childledger/event-store';
import { EVENT_STORE, PG_POOL } from '@childledger/platform';
import { DATA_KEYRING, DataKeyring, ErasureCompleter, rawEventStore } from '@childledger/trust';
import { ErasureController } from './erasure.controller';

/**
 * Runs the ErasureCompleter while the API runs: at start-up it catches up on every
 * ChildPersonalDataErased in the log and destroys any key still there (an erasure interrupted
 * between its append and its key destruction), then keeps doing so live.
 */
@Injectable()
class ErasureCompleterLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly completer: ErasureCompleter;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(DATA_KEYRING) keyring: DataKeyring, @Inject(PG_POOL) pool: Pool, logger: Logger) {
    this.completer = new ErasureCompleter(rawEventStore(store), keyring, pool, (err) => logger.error({ err }, 'erasure completer stopped'));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.completer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.completer.stop();
  }
}

/** POST /api/v1/children/:id/erasure and the completer of interrupted erasures. */
@Module({ controllers: [ErasureController], providers: [ErasureCompleterLifecycle] })
export class ErasureModule {}

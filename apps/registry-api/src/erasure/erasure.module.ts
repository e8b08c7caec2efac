import { BeforeApplicationShutdown, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { Pool } from 'pg';
import type { EventStore, SubscriptionStatusBoard } from '@childledger/event-store';
import { EVENT_STORE, PG_POOL, SUBSCRIPTION_STATUS } from '@childledger/platform';
import { ModuleRef } from '@nestjs/core';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import type { AdministrativeUnitLookup } from '@childledger/domain';
import { ADMINISTRATIVE_UNITS, forgetImportedChild } from '@childledger/registry';
import { DATA_KEYRING, DataKeyring, ErasureCompleter, rawEventStore } from '@childledger/trust';
import { erasureCascade } from './erase-child-personal-data';
import { ErasureController } from './erasure.controller';

/**
 * Runs the ErasureCompleter while the API runs: at start-up it catches up on every
 * ChildPersonalDataErased in the log and destroys any key still there (an erasure interrupted
 * between its append and its key destruction), then keeps doing so live; and erases the records
 * merged into an erased child (and a duplicate merged into an erased record by a racing merge).
 */
@Injectable()
class ErasureCompleterLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly completer: ErasureCompleter;

  private units?: AdministrativeUnitLookup;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(DATA_KEYRING) keyring: DataKeyring,
    @Inject(PG_POOL) pool: Pool,
    logger: Logger,
    moduleRef: ModuleRef,
    @Inject(SUBSCRIPTION_STATUS) status: SubscriptionStatusBoard,
  ) {
    const units = (): AdministrativeUnitLookup => {
      if (!this.units) {
        try {
          this.units = moduleRef.get<AdministrativeUnitLookup>(ADMINISTRATIVE_UNITS, { strict: false });
        } catch {
          this.units = loadAdministrativeUnits();
        }
      }
      return this.units;
    };
    this.completer = new ErasureCompleter(
      rawEventStore(store),
      keyring,
      pool,
      (err) => logger.error({ err }, 'erasure completer crashed; restarting'),
      erasureCascade(store, keyring, units, (childId) => forgetImportedChild(pool, childId)),
      {
        status,
        log: { warn: (obj, msg) => logger.warn(obj, msg), error: (obj, msg) => logger.error(obj, msg) },
      },
    );
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

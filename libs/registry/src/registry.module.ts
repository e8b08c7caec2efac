import { DynamicModule, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AdministrativeUnits, loadAdministrativeUnits } from '@childledger/admin-units';
import { CaseDeadlines, DEFAULT_CASE_DEADLINES } from '@childledger/domain';
import type { EventStore } from '@childledger/event-store';
import { EVENT_STORE, PG_POOL } from '@childledger/platform';
import { DATA_KEYRING, DataKeyring } from '@childledger/trust';
import { REGISTRY_COMMAND_HANDLERS } from './commands';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { ImportLedger } from './imports/import.ledger';
import { ChildRecordImporter } from './imports/child-record.importer';
import { RegistryReader } from './queries/registry-reader';
import { AccessPolicy } from './shared/access-policy';
import { DomainContextFactory } from './shared/domain-context';
import { RegistryHandlerDeps } from './shared/registry-handler.deps';

export const ADMINISTRATIVE_UNITS = Symbol('AdministrativeUnits');

export interface RegistryModuleOptions {
  /** Case deadlines (configuration, not code); the domain's defaults otherwise. */
  deadlines?: CaseDeadlines;
  /** For tests: a fixed clock. */
  clock?: () => Date;
}

/**
 * The write side of child records and protection cases: command handlers (CQRS), idempotency keys,
 * the current-state reader and the bulk importer. Needs PlatformModule (pool, event store) and
 * CqrsModule from the importing app.
 */
@Module({})
export class RegistryModule {
  static forRoot(options: RegistryModuleOptions = {}): DynamicModule {
    return {
      module: RegistryModule,
      providers: [
        { provide: ADMINISTRATIVE_UNITS, useFactory: () => loadAdministrativeUnits() },
        { provide: AccessPolicy, inject: [ADMINISTRATIVE_UNITS], useFactory: (units: AdministrativeUnits) => new AccessPolicy(units) },
        {
          provide: DomainContextFactory,
          inject: [ADMINISTRATIVE_UNITS],
          useFactory: (units: AdministrativeUnits) => new DomainContextFactory(units, options.deadlines ?? DEFAULT_CASE_DEADLINES, options.clock),
        },
        { provide: IdempotencyStore, inject: [PG_POOL, EVENT_STORE], useFactory: (pool: Pool, store: EventStore) => new IdempotencyStore(pool, store) },
        {
          provide: RegistryHandlerDeps,
          inject: [EVENT_STORE, AccessPolicy, IdempotencyStore],
          useFactory: (store: EventStore, policy: AccessPolicy, idempotency: IdempotencyStore) => new RegistryHandlerDeps(store, policy, idempotency),
        },
        { provide: RegistryReader, inject: [EVENT_STORE, AccessPolicy], useFactory: (store: EventStore, policy: AccessPolicy) => new RegistryReader(store, policy) },
        { provide: ImportLedger, inject: [PG_POOL], useFactory: (pool: Pool) => new ImportLedger(pool) },
        {
          provide: ChildRecordImporter,
          inject: [EVENT_STORE, PG_POOL, ADMINISTRATIVE_UNITS, AccessPolicy, ImportLedger, { token: DATA_KEYRING, optional: true }],
          useFactory: (store: EventStore, pool: Pool, units: AdministrativeUnits, policy: AccessPolicy, ledger: ImportLedger, keyring?: DataKeyring) =>
            new ChildRecordImporter({ store, pool, units, policy, ledger, keyring, clock: options.clock }),
        },
        ...REGISTRY_COMMAND_HANDLERS,
      ],
      exports: [ADMINISTRATIVE_UNITS, AccessPolicy, DomainContextFactory, IdempotencyStore, RegistryReader, ImportLedger, ChildRecordImporter],
    };
  }
}

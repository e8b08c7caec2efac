import { DynamicModule, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { AdministrativeUnits, loadAdministrativeUnits } from '@childledger/admin-units';
import { CaseDeadlines, DEFAULT_CASE_DEADLINES } from '@childledger/domain';
import { EventStore, requireCapabilities } from '@childledger/event-store';
import { EVENT_STORE, PG_POOL, PLATFORM_CONFIG, PlatformConfig } from '@childledger/platform';
import { DATA_KEYRING, DataKeyring } from '@childledger/trust';
import { REGISTRY_COMMAND_HANDLERS } from './commands';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { ImportLedger } from './imports/import.ledger';
import { ChildRecordImporter } from './imports/child-record.importer';
import { RegistryReader } from './queries/registry-reader';
import { AccessPolicy } from './shared/access-policy';
import { DomainContextFactory } from './shared/domain-context';
import { RegistryHandlerDeps } from './shared/registry-handler.deps';
import { RegistryKeys, resolveRegistryKeys } from './shared/registry-keys';

export const ADMINISTRATIVE_UNITS = Symbol('AdministrativeUnits');

export interface RegistryModuleOptions {
  /** Case deadlines (configuration, not code); the domain's defaults otherwise. */
  deadlines?: CaseDeadlines;
  /** For tests: a fixed clock. */
  clock?: () => Date;
}

/**
 * The capabilities of the event-store port this module needs, checked when the application
 * initialises (before it listens): Idempotency-Key and imports append inside the caller's
 * transaction. A backend without it (EventStoreDB) refuses to start, naming the capability, instead
 * of failing the first request with a 500.
 */
@Injectable()
class RegistryCapabilityCheck implements OnModuleInit {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  onModuleInit(): void {
    requireCapabilities(this.store, ['append-in-transaction'], 'the registry API (Idempotency-Key, imports)', this.config.EVENT_STORE_BACKEND);
  }
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
      // Global: the app's feature modules (reconciliation, erasure) send commands through the same core and responder.
      global: true,
      providers: [
        RegistryCapabilityCheck,
        { provide: RegistryKeys, inject: [PLATFORM_CONFIG], useFactory: (config: PlatformConfig) => resolveRegistryKeys(config.CHILDLEDGER_DEDUPE_KEY) },
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
        {
          provide: RegistryReader,
          inject: [EVENT_STORE, AccessPolicy],
          useFactory: (store: EventStore, policy: AccessPolicy) => new RegistryReader(store, policy),
        },
        { provide: ImportLedger, inject: [PG_POOL], useFactory: (pool: Pool) => new ImportLedger(pool) },
        {
          provide: ChildRecordImporter,
          inject: [RegistryHandlerDeps, PG_POOL, ADMINISTRATIVE_UNITS, ImportLedger, RegistryKeys, { token: DATA_KEYRING, optional: true }],
          useFactory: (deps: RegistryHandlerDeps, pool: Pool, units: AdministrativeUnits, ledger: ImportLedger, keys: RegistryKeys, keyring?: DataKeyring) =>
            new ChildRecordImporter({ deps, pool, units, ledger, keys, keyring, clock: options.clock }),
        },
        ...REGISTRY_COMMAND_HANDLERS,
      ],
      exports: [
        ADMINISTRATIVE_UNITS,
        AccessPolicy,
        DomainContextFactory,
        IdempotencyStore,
        RegistryReader,
        ImportLedger,
        ChildRecordImporter,
        RegistryKeys,
        RegistryHandlerDeps,
      ],
    };
  }
}

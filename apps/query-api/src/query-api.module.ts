import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { APPLICATION_ROLE } from '@childledger/database';
import { EVENT_STORE, PG_POOL, PlatformModule, PlatformModuleOptions } from '@childledger/platform';
import {
  READ_MODEL_ENTITIES,
  READ_MODEL_EVENT_STORE,
  READ_MODEL_POOL,
  READ_MODEL_QUERIES,
  READ_MODEL_UNIT_RESOLVER,
  UnitResolver,
} from '@childledger/read-models';
import { configuredSealKeys } from '@childledger/trust';
import { AuditController } from './audit.controller';
import { CasesController } from './cases.controller';
import { ChildrenController } from './children.controller';
import { IndicatorPublicationsController } from './indicator-publications.controller';
import { IndicatorsController } from './indicators.controller';
import { InspectionController } from './inspection.controller';
import { IntegrityService, TRUSTED_SEAL_KEYS } from './integrity.service';
import { ReconciliationController } from './reconciliation.controller';
import { ReferenceDataController } from './reference-data.controller';
import { ADMIN_UNITS, UNIT_RESOLVER } from './tokens';

/** Inspectors' and programme managers' queries over the read models. */
@Module({})
export class QueryApiModule {
  static forRoot(options: Omit<PlatformModuleOptions, 'service'>): DynamicModule {
    const units = loadAdministrativeUnits();
    return {
      module: QueryApiModule,
      imports: [
        PlatformModule.forRoot({ ...options, service: 'query-api', poolSize: 10, userRateLimits: true }),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.databaseUrl,
          entities: READ_MODEL_ENTITIES,
          synchronize: false,
          migrationsRun: false,
          logging: false,
          // Same role as every service: only what migrations granted.
          extra: { max: 5, options: `-c role=${APPLICATION_ROLE}` },
        }),
        TypeOrmModule.forFeature(READ_MODEL_ENTITIES),
      ],
      controllers: [
        AuditController,
        ChildrenController,
        CasesController,
        ReconciliationController,
        // Before IndicatorsController: its /indicators/publications routes must not be taken for /indicators/:something.
        IndicatorPublicationsController,
        IndicatorsController,
        ReferenceDataController,
        InspectionController,
      ],
      providers: [
        // The read models' queries (libs/read-models/src/queries) on the platform's pool; the read audit is the platform's ReadAuditWriter.
        { provide: READ_MODEL_POOL, useExisting: PG_POOL },
        ...READ_MODEL_QUERIES,
        { provide: ADMIN_UNITS, useValue: units },
        { provide: UNIT_RESOLVER, useValue: new UnitResolver(units) },
        // Published indicators are recomputed from the log, read through the platform's (decrypting) store.
        { provide: READ_MODEL_EVENT_STORE, useExisting: EVENT_STORE },
        { provide: READ_MODEL_UNIT_RESOLVER, useExisting: UNIT_RESOLVER },
        // The seal keys the integrity check trusts, given by the operator (checked here, at boot); unset: those log_seal_keys lists.
        { provide: TRUSTED_SEAL_KEYS, useValue: configuredSealKeys(process.env['CHILDLEDGER_TRUSTED_SEAL_KEYS']) },
        IntegrityService,
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { PLATFORM_CONFIG, PlatformConfig, PlatformModule, PlatformModuleOptions } from '@childledger/platform';
import { ImportLimits, ImportQueue, RegistryModule, RegistryModuleOptions } from '@childledger/registry';
import { AdminUnitsController } from './admin-units/admin-units.controller';
import { CasesController } from './cases/cases.controller';
import { ChildrenController } from './children/children.controller';
import { CommandResponder } from './http/command-responder';
import { RegistryExceptionFilter } from './http/registry-exception.filter';
import { DEFAULT_IMPORT_MAX_BYTES, IMPORT_LIMITS, IMPORT_MAX_BYTES, ImportsController } from './imports/imports.controller';
import { ErasureModule } from './erasure/erasure.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';

export interface RegistryApiModuleOptions extends Omit<PlatformModuleOptions, 'service'> {
  registry?: RegistryModuleOptions;
  /** Largest import file accepted (413 beyond). */
  importMaxBytes?: number;
}

/** Commands of data officers and case workers: child records, status changes, cases, imports. */
@Module({})
export class RegistryApiModule {
  static forRoot(options: RegistryApiModuleOptions): DynamicModule {
    const { registry, importMaxBytes, ...platform } = options;
    return {
      module: RegistryApiModule,
      imports: [
        PlatformModule.forRoot({ ...platform, service: 'registry-api', userRateLimits: true }),
        CqrsModule.forRoot(),
        RegistryModule.forRoot(registry),
        ErasureModule,
        ReconciliationModule,
      ],
      controllers: [ChildrenController, CasesController, ImportsController, AdminUnitsController],
      providers: [
        CommandResponder,
        { provide: IMPORT_MAX_BYTES, useValue: importMaxBytes ?? DEFAULT_IMPORT_MAX_BYTES },
        {
          provide: IMPORT_LIMITS,
          inject: [PLATFORM_CONFIG],
          useFactory: (c: PlatformConfig): Partial<ImportLimits> => ({
            maxEntryBytes: c.IMPORT_MAX_ENTRY_BYTES,
            maxArchiveBytes: c.IMPORT_MAX_ARCHIVE_BYTES,
            maxCompressionRatio: c.IMPORT_MAX_COMPRESSION_RATIO,
            maxEntries: c.IMPORT_MAX_ARCHIVE_ENTRIES,
            maxRows: c.IMPORT_MAX_ROWS,
          }),
        },
        // One queue per process for this app's imports (IMPORT_CONCURRENCY running, IMPORT_QUEUE_SIZE waiting).
        { provide: ImportQueue, inject: [PLATFORM_CONFIG], useFactory: (c: PlatformConfig) => new ImportQueue(c.IMPORT_CONCURRENCY, c.IMPORT_QUEUE_SIZE) },
        { provide: APP_FILTER, useClass: RegistryExceptionFilter },
      ],
    };
  }
}

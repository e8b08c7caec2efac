import type { INestApplication } from '@nestjs/common';
import { AuthOptions, createApp, PlatformConfig } from '@childledger/platform';
import type { RegistryModuleOptions } from '@childledger/registry';
import { validationExceptionFactory } from './http/validation';
import { RegistryApiModule } from './registry-api.module';

export interface RegistryApiOptions {
  auth: AuthOptions;
  /** Domain options (case deadlines; a fixed clock in tests). */
  registry?: RegistryModuleOptions;
  /** Largest import file accepted (default 100 MB). */
  importMaxBytes?: number;
  /** Largest JSON body accepted (default 256 kB). */
  bodyLimit?: string;
  poolSize?: number;
}

export function createRegistryApi(config: PlatformConfig, databaseUrl: string, options: RegistryApiOptions): Promise<INestApplication> {
  return createApp(
    RegistryApiModule.forRoot({
      config,
      databaseUrl,
      auth: options.auth,
      registry: options.registry,
      importMaxBytes: options.importMaxBytes,
      poolSize: options.poolSize,
    }),
    {
      title: 'ChildLedger registry API',
      description: 'Child records, status changes and protection cases, written as events.',
      validationExceptionFactory,
      bodyLimit: options.bodyLimit,
    },
  );
}

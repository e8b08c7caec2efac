import type { INestApplication } from '@nestjs/common';
import { AuthOptions, createApp, PlatformConfig } from '@childledger/platform';
import type { RegistryModuleOptions } from '@childledger/registry';
import { jsonObjectBody } from './http/json-object-body.middleware';
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

export async function createRegistryApi(config: PlatformConfig, databaseUrl: string, options: RegistryApiOptions): Promise<INestApplication> {
  const app = await createApp(
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
  // Runs after the JSON body parser (registered by createApp) and before the routes (added at init).
  app.use(jsonObjectBody);
  return app;
}

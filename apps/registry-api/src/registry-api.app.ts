import type { INestApplication } from '@nestjs/common';
import { AuthOptions, createApp, PlatformConfig } from '@childledger/platform';
import { RegistryApiModule } from './registry-api.module';

export function createRegistryApi(config: PlatformConfig, databaseUrl: string, options: { auth: AuthOptions }): Promise<INestApplication> {
  return createApp(RegistryApiModule.forRoot({ config, databaseUrl, auth: options.auth }), {
    title: 'ChildLedger registry API',
    description: 'Child records, status changes and protection cases, written as events.',
  });
}

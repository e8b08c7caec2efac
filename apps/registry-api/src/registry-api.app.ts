import type { INestApplication } from '@nestjs/common';
import { createApp, PlatformConfig } from '@childledger/platform';
import { RegistryApiModule } from './registry-api.module';

export function createRegistryApi(config: PlatformConfig, databaseUrl: string): Promise<INestApplication> {
  return createApp(RegistryApiModule.forRoot({ config, databaseUrl }), {
    title: 'ChildLedger registry API',
    description: 'Child records, status changes and protection cases, written as events.',
  });
}

import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AuthOptions, createApp, PlatformConfig } from '@childledger/platform';
import { QueryApiModule } from './query-api.module';

export async function createQueryApi(config: PlatformConfig, databaseUrl: string, options: { auth: AuthOptions }): Promise<INestApplication> {
  const app = await createApp(QueryApiModule.forRoot({ config, databaseUrl, auth: options.auth }), {
    title: 'ChildLedger query API',
    description: 'Audit trails, read audit, as-of records and indicators for inspection and monitoring. Reads of personal data need a purpose.',
  });
  // Targets and child populations are uploaded as CSV bodies or XLSX workbooks.
  (app as NestExpressApplication).useBodyParser('text', { type: 'text/csv', limit: '5mb' });
  (app as NestExpressApplication).useBodyParser('raw', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', limit: '5mb' });
  return app;
}

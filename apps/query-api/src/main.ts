// Runs the query API on its own (production: one process per service, DATABASE_URL set).
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { createQueryApi } from './query-api.app';

runService({
  migrations: [...PLATFORM_MIGRATIONS, ...READ_MODEL_MIGRATIONS],
  create: createQueryApi,
  port: (c) => c.QUERY_API_PORT,
});

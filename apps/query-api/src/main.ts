// Runs the query API on its own (production: one process per service, DATABASE_URL set).
// First: tracing (when the OTEL_* variables ask for it) must be set up before what it instruments is loaded.
import '@childledger/platform/tracing';
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { createQueryApi } from './query-api.app';

runService({
  migrations: [...PLATFORM_MIGRATIONS, ...READ_MODEL_MIGRATIONS],
  create: createQueryApi,
  port: (c) => c.QUERY_API_PORT,
});

// Runs the registry API on its own (production: one process per service, DATABASE_URL set).
// First: tracing (when the OTEL_* variables ask for it) must be set up before what it instruments is loaded.
import '@childledger/platform/tracing';
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { IDENTITY_MIGRATIONS } from '@childledger/identity/migrations';
import { REGISTRY_MIGRATIONS } from '@childledger/registry/migrations';
import { createRegistryApi } from './registry-api.app';

runService({
  migrations: [...PLATFORM_MIGRATIONS, ...REGISTRY_MIGRATIONS, ...IDENTITY_MIGRATIONS],
  create: createRegistryApi,
  port: (c) => c.REGISTRY_API_PORT,
  missing: (c) =>
    c.CHILDLEDGER_DEDUPE_KEY ? [] : ['CHILDLEDGER_DEDUPE_KEY is required to run the registry API on its own (npm start makes a development key)'],
});

// Runs the registry API on its own (production: one process per service, DATABASE_URL set).
import 'reflect-metadata';
import { runService } from '@childledger/platform';
import { createRegistryApi } from './registry-api.app';

runService({
  create: createRegistryApi,
  port: (c) => c.REGISTRY_API_PORT,
  missing: (c) =>
    c.CHILDLEDGER_DEDUPE_KEY ? [] : ['CHILDLEDGER_DEDUPE_KEY is required to run the registry API on its own (npm start makes a development key)'],
});

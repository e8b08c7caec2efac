// Runs the query API on its own (production: one process per service, DATABASE_URL set).
import 'reflect-metadata';
import { runService } from '@childledger/platform';
import { createQueryApi } from './query-api.app';

runService({ create: createQueryApi, port: (c) => c.QUERY_API_PORT });

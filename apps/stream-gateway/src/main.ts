// Runs the stream gateway on its own (production: one process per service, DATABASE_URL set).
// One active instance per partner projection: a second instance is safe (it never writes a batch
// twice) but wasted work; run the HTTP side with several replicas sharing PARTNER_TOKEN_SECRET.
// First: tracing (when the OTEL_* variables ask for it) must be set up before what it instruments is loaded.
import '@childledger/platform/tracing';
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { createStreamGateway } from './stream-gateway.app';

runService({
  migrations: [...PLATFORM_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS],
  create: (config, databaseUrl, { auth }) => createStreamGateway(config, databaseUrl, { auth, devSecrets: false }),
  port: (c) => c.STREAM_GATEWAY_PORT,
  missing: (c) =>
    c.PARTNER_SECRETS_FILE || process.env['PARTNER_TOKEN_SECRET']
      ? []
      : ['PARTNER_TOKEN_SECRET and partner secrets (PARTNER_SECRETS_FILE or PARTNER_<ID>_KEY_SECRET) are required on their own'],
});

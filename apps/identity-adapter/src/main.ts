// Runs the identity adapter on its own (NATIONAL_REGISTRY_URL and its client credentials).
// First: tracing (when the OTEL_* variables ask for it) must be set up before what it instruments is loaded.
import '@childledger/platform/tracing';
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { IDENTITY_MIGRATIONS } from '@childledger/identity/migrations';
import { createIdentityAdapter } from './identity-adapter.app';

runService({
  migrations: [...PLATFORM_MIGRATIONS, ...IDENTITY_MIGRATIONS],
  create: createIdentityAdapter,
  port: (c) => c.IDENTITY_ADAPTER_PORT,
});

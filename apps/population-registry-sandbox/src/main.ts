// Runs the sandbox national population database on its own (seeded from SANDBOX_RESIDENTS_CSV).
// First: tracing (when the OTEL_* variables ask for it) must be set up before what it instruments is loaded.
import '@childledger/platform/tracing';
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { IDENTITY_MIGRATIONS } from '@childledger/identity/migrations';
import { createPopulationRegistrySandbox } from './sandbox.app';

runService({
  migrations: [...PLATFORM_MIGRATIONS, ...IDENTITY_MIGRATIONS],
  create: createPopulationRegistrySandbox,
  port: (c) => c.SANDBOX_PORT,
});

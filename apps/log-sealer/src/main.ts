// Runs the log sealer on its own (production: one active instance; a second one waits on the lock).
// First: tracing (when the OTEL_* variables ask for it) must be set up before what it instruments is loaded.
import '@childledger/platform/tracing';
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { createLogSealer } from './log-sealer.app';

runService({
  migrations: PLATFORM_MIGRATIONS,
  create: createLogSealer,
  port: (c) => c.LOG_SEALER_PORT,
  missing: (c) => (c.CHILDLEDGER_SEAL_KEY ? [] : ['CHILDLEDGER_SEAL_KEY is required to run the log sealer on its own (npm start makes a development key)']),
});

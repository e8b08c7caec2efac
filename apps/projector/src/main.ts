// Runs the projector on its own (production: one active instance; a second one is harmless, its
// batches are fenced by the checkpoint row, but it only wastes work).
// First: tracing (when the OTEL_* variables ask for it) must be set up before what it instruments is loaded.
import '@childledger/platform/tracing';
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { createProjector } from './projector.app';

runService({
  migrations: [...PLATFORM_MIGRATIONS, ...READ_MODEL_MIGRATIONS],
  create: createProjector,
  port: (c) => c.PROJECTOR_PORT,
});

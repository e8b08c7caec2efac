// Runs the projector on its own (production: one active instance; a second one is harmless, its
// batches are fenced by the checkpoint row, but it only wastes work).
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';
import { createProjector } from './projector.app';

runService({
  migrations: [...PLATFORM_MIGRATIONS, ...READ_MODEL_MIGRATIONS],
  create: createProjector,
  port: (c) => c.PROJECTOR_PORT,
});

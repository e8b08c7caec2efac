// Runs the projector on its own (production: one active instance; a second one is harmless, its
// batches are fenced by the checkpoint row, but it only wastes work).
import 'reflect-metadata';
import { runService } from '@childledger/platform';
import { createProjector } from './projector.app';

runService({ create: createProjector, port: (c) => c.PROJECTOR_PORT });

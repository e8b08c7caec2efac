// Runs the sandbox national population database on its own (seeded from SANDBOX_RESIDENTS_CSV).
import 'reflect-metadata';
import { runService } from '@childledger/platform';
import { createPopulationRegistrySandbox } from './sandbox.app';

runService({ create: createPopulationRegistrySandbox, port: (c) => c.SANDBOX_PORT });

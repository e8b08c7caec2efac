// Runs the sandbox national population database on its own (seeded from SANDBOX_RESIDENTS_CSV).
import 'reflect-metadata';
import { PLATFORM_MIGRATIONS, runService } from '@childledger/platform';
import { IDENTITY_MIGRATIONS } from '@childledger/identity/migrations';
import { createPopulationRegistrySandbox } from './sandbox.app';

runService({
  migrations: [...PLATFORM_MIGRATIONS, ...IDENTITY_MIGRATIONS],
  create: createPopulationRegistrySandbox,
  port: (c) => c.SANDBOX_PORT,
});

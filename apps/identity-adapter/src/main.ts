// Runs the identity adapter on its own (NATIONAL_REGISTRY_URL and its client credentials).
import 'reflect-metadata';
import { runService } from '@childledger/platform';
import { createIdentityAdapter } from './identity-adapter.app';

runService({ create: createIdentityAdapter, port: (c) => c.IDENTITY_ADAPTER_PORT });

import type { INestApplication } from '@nestjs/common';
import { AuthOptions, createApp, PlatformConfig } from '@childledger/platform';
import { LogSealerModule } from './log-sealer.module';

export function createLogSealer(config: PlatformConfig, databaseUrl: string, options: { auth: AuthOptions }): Promise<INestApplication> {
  return createApp(LogSealerModule.forRoot({ config, databaseUrl, auth: options.auth }), {
    title: 'ChildLedger log sealer',
    description: 'Hash chain and signed checkpoints over the event log: public keys, checkpoints, inclusion proofs (docs/trust.md).',
  });
}

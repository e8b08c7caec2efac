import type { INestApplication } from '@nestjs/common';
import { AuthOptions, createApp, PlatformConfig } from '@childledger/platform';
import { ProjectorModule } from './projector.module';
import type { ProjectorSettings } from './projector.service';

export function createProjector(
  config: PlatformConfig,
  databaseUrl: string,
  options: { auth: AuthOptions; settings?: Partial<ProjectorSettings> },
): Promise<INestApplication> {
  return createApp(ProjectorModule.forRoot({ config, databaseUrl, auth: options.auth, settings: options.settings }), {
    title: 'ChildLedger projector',
    description: 'Projects the event log into the read models (children, cases, reconciliation queue, indicator facts, audit index). Health and metrics only.',
  });
}

import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, PlatformModuleOptions } from '@childledger/platform';
import { PROJECTOR_SETTINGS, ProjectorService, ProjectorSettings } from './projector.service';

/** The projector: subscriptions from the event log into the read models; health and metrics over HTTP. */
@Module({})
export class ProjectorModule {
  static forRoot(options: Omit<PlatformModuleOptions, 'service'> & { settings?: Partial<ProjectorSettings> }): DynamicModule {
    const { settings, ...platform } = options;
    return {
      module: ProjectorModule,
      imports: [PlatformModule.forRoot({ ...platform, service: 'projector', poolSize: 8 })],
      providers: [{ provide: PROJECTOR_SETTINGS, useValue: { batchSize: 500, lagIntervalMs: 2000, autoStart: true, ...settings } }, ProjectorService],
      exports: [ProjectorService],
    };
  }
}

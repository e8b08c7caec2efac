import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PlatformModule, PlatformModuleOptions } from '@childledger/platform';

/** Commands of data officers and case workers: child records, status changes, cases. */
@Module({})
export class RegistryApiModule {
  static forRoot(options: Omit<PlatformModuleOptions, 'service'>): DynamicModule {
    return {
      module: RegistryApiModule,
      imports: [PlatformModule.forRoot({ ...options, service: 'registry-api' }), CqrsModule.forRoot()],
    };
  }
}

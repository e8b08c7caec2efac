import { readFileSync } from 'node:fs';
import { DynamicModule, Module } from '@nestjs/common';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { adminUnitLookup, HttpNationalPopulationRegistry, HttpNationalRegistryOptions } from '@childledger/identity';
import { FellegiSunterModel, MatchEngine, MatchModelJson } from '@childledger/matching';
import { PlatformModule, PlatformModuleOptions } from '@childledger/platform';
import { ADAPTER_SETTINGS, IdentityAdapterService, IdentityAdapterSettings, MATCH_ENGINE, NATIONAL_REGISTRY } from './identity-adapter.service';
import { NationalRegistryMetrics } from './national-registry-metrics';

export interface IdentityAdapterModuleOptions extends Omit<PlatformModuleOptions, 'service'> {
  registry: HttpNationalRegistryOptions;
  settings: IdentityAdapterSettings;
  modelPath?: string;
}

/** Links children to the national population database: subscription → search/verify → engine → decision events. */
@Module({})
export class IdentityAdapterModule {
  static forRoot(options: IdentityAdapterModuleOptions): DynamicModule {
    const { registry, settings, modelPath, ...platform } = options;
    return {
      module: IdentityAdapterModule,
      imports: [PlatformModule.forRoot({ ...platform, service: 'identity-adapter', poolSize: platform.poolSize ?? 5 })],
      providers: [
        { provide: NATIONAL_REGISTRY, useFactory: () => new HttpNationalPopulationRegistry(registry) },
        {
          provide: MATCH_ENGINE,
          useFactory: () => {
            const model = modelPath
              ? FellegiSunterModel.fromJson(JSON.parse(readFileSync(modelPath, 'utf8')) as MatchModelJson)
              : FellegiSunterModel.withPriors();
            return new MatchEngine(model, adminUnitLookup(loadAdministrativeUnits()));
          },
        },
        { provide: ADAPTER_SETTINGS, useValue: settings },
        IdentityAdapterService,
        // Calls, durations and breaker state of the national database client, on the service's metrics.
        NationalRegistryMetrics,
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { SandboxClient, SandboxFaults, SandboxFaultSettings, SandboxResidentsStore, SandboxTokenService } from '@childledger/identity';
import { PG_POOL, PlatformModule, PlatformModuleOptions } from '@childledger/platform';
import { SandboxResidentsController, SandboxTokenController } from './sandbox.controller';
import { SandboxClientGuard } from './sandbox-client.guard';
import { SandboxFaultsInterceptor } from './sandbox-faults.interceptor';
import { SANDBOX_FAULTS, SANDBOX_STORE, SANDBOX_TOKENS } from './sandbox.tokens';

export interface SandboxModuleOptions extends Omit<PlatformModuleOptions, 'service'> {
  clients: SandboxClient[];
  faults: Partial<SandboxFaultSettings>;
  tokenTtlSeconds?: number;
}

/** Stand-in for the national population database's data-sharing interface. */
@Module({})
export class PopulationRegistrySandboxModule {
  static forRoot(options: SandboxModuleOptions): DynamicModule {
    const { clients, faults, tokenTtlSeconds, ...platform } = options;
    return {
      module: PopulationRegistrySandboxModule,
      imports: [PlatformModule.forRoot({ ...platform, service: 'population-registry-sandbox', poolSize: platform.poolSize ?? 10 })],
      controllers: [SandboxTokenController, SandboxResidentsController],
      providers: [
        {
          provide: SANDBOX_STORE,
          inject: [PG_POOL],
          useFactory: (pool: Pool) => {
            const units = loadAdministrativeUnits();
            return new SandboxResidentsStore(pool, (code) => units.currentCodesFor(code).map((c) => units.provinceOfCommune(c, '2025-07-01'))[0]);
          },
        },
        { provide: SANDBOX_TOKENS, useValue: new SandboxTokenService(clients, tokenTtlSeconds) },
        { provide: SANDBOX_FAULTS, useValue: new SandboxFaults(faults) },
        SandboxClientGuard,
        SandboxFaultsInterceptor,
      ],
    };
  }
}

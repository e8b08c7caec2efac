import type { INestApplication } from '@nestjs/common';
import type { HttpNationalRegistryOptions } from '@childledger/identity';
import { AuthOptions, createApp, loadConfig, PlatformConfig } from '@childledger/platform';
import { IdentityAdapterConfig } from './identity-adapter.config';
import { IdentityAdapterModule } from './identity-adapter.module';
import type { IdentityAdapterSettings } from './identity-adapter.service';

export interface IdentityAdapterAppOptions {
  auth: AuthOptions;
  /** Overrides of the configured settings (tests). */
  adapter?: Partial<IdentityAdapterConfig>;
  registry?: Partial<HttpNationalRegistryOptions>;
  settings?: Partial<IdentityAdapterSettings>;
}

/** The identity adapter: a subscription with health and metrics endpoints. */
export async function createIdentityAdapter(
  platformConfig: PlatformConfig,
  databaseUrl: string,
  options: IdentityAdapterAppOptions,
): Promise<INestApplication> {
  const c = Object.assign(loadConfig(IdentityAdapterConfig), platformConfig, options.adapter ?? {});
  const registry: HttpNationalRegistryOptions = {
    baseUrl: c.NATIONAL_REGISTRY_URL ?? `http://${c.HOST}:${c.SANDBOX_PORT}/api/v1`,
    clientId: c.NATIONAL_REGISTRY_CLIENT_ID,
    clientSecret: c.NATIONAL_REGISTRY_CLIENT_SECRET,
    timeoutMs: c.NATIONAL_REGISTRY_TIMEOUT_MS,
    maxAttempts: c.NATIONAL_REGISTRY_MAX_ATTEMPTS,
    ratePerSecond: c.NATIONAL_REGISTRY_RATE_PER_SECOND,
    breakerThreshold: c.NATIONAL_REGISTRY_BREAKER_THRESHOLD,
    halfOpenAfterMs: c.NATIONAL_REGISTRY_HALF_OPEN_AFTER_MS,
    ...options.registry,
  };
  return createApp(
    IdentityAdapterModule.forRoot({
      config: c,
      databaseUrl,
      auth: options.auth,
      registry,
      modelPath: c.IDENTITY_MATCH_MODEL,
      settings: { retryDelayMs: 1000, maxRetryDelayMs: 30_000, autoStart: true, ...options.settings },
    }),
    { title: 'Identity adapter', description: 'Links child records to the national population database. Health and metrics only.' },
  );
}

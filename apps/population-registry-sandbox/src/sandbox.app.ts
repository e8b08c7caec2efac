import { createReadStream } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { parse } from 'csv-parse';
import { SandboxClient, SandboxFaultSettings, SandboxResidentsStore } from '@childledger/identity';
import { residentReader, type ResidentInput } from '@childledger/matching';
import { AuthOptions, createApp, loadConfig, PlatformConfig } from '@childledger/platform';
import { SandboxConfig } from './sandbox.config';
import { PopulationRegistrySandboxModule } from './sandbox.module';
import { SANDBOX_STORE } from './sandbox.tokens';

export type ResidentSource = () => Iterable<ResidentInput> | AsyncIterable<ResidentInput>;

export interface SandboxAppOptions {
  auth: AuthOptions;
  /** Residents to seed an empty table with when SANDBOX_RESIDENTS_CSV is not set (`npm start`: generated ones). */
  residents?: ResidentSource;
  /** Overrides of the configured settings (tests). */
  sandbox?: Partial<SandboxConfig>;
  faults?: Partial<SandboxFaultSettings>;
  tokenTtlSeconds?: number;
}

export function faultSettingsOf(c: SandboxConfig): SandboxFaultSettings {
  return {
    latencyMs: c.SANDBOX_LATENCY_MS,
    rateLimitPerSecond: c.SANDBOX_RATE_LIMIT_PER_SECOND,
    retryAfterSeconds: c.SANDBOX_RETRY_AFTER_SECONDS,
    errorRate: c.SANDBOX_ERROR_RATE,
    timeoutRate: c.SANDBOX_TIMEOUT_RATE,
    timeoutHangMs: c.SANDBOX_TIMEOUT_HANG_MS,
    seed: c.SANDBOX_FAULT_SEED,
  };
}

/** The sandbox national population database: an HTTP app over its own tables, seeded on first start. */
export async function createPopulationRegistrySandbox(
  platformConfig: PlatformConfig,
  databaseUrl: string,
  options: SandboxAppOptions,
): Promise<INestApplication> {
  const config = Object.assign(loadConfig(SandboxConfig), platformConfig, options.sandbox ?? {});
  const clients: SandboxClient[] = [{ clientId: config.SANDBOX_CLIENT_ID, clientSecret: config.SANDBOX_CLIENT_SECRET }];
  const app = await createApp(
    PopulationRegistrySandboxModule.forRoot({
      config,
      databaseUrl,
      auth: options.auth,
      clients,
      faults: { ...faultSettingsOf(config), ...options.faults },
      tokenTtlSeconds: options.tokenTtlSeconds,
    }),
    {
      title: 'Population registry sandbox',
      description: "Stand-in for the national population database's data-sharing interface: client-credentials tokens, search, look-up, verification.",
    },
  );
  const store = app.get<SandboxResidentsStore>(SANDBOX_STORE);
  if ((await store.count()) === 0) {
    if (config.SANDBOX_RESIDENTS_CSV) await store.seed(residentsFromCsv(config.SANDBOX_RESIDENTS_CSV));
    else if (options.residents) await store.seed(options.residents());
  }
  return app;
}

/** Streams a residents CSV (formats.md); unreadable rows are skipped. */
export async function* residentsFromCsv(path: string): AsyncIterable<ResidentInput> {
  let reader: ReturnType<typeof residentReader> | undefined;
  for await (const row of createReadStream(path).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true })) as AsyncIterable<string[]>) {
    if (!reader) {
      reader = residentReader(row);
      if (reader.missing.length) throw new Error(`${path}: missing column(s) ${reader.missing.join(', ')}`);
      continue;
    }
    const resident = reader.read(row);
    if (resident) yield resident;
  }
}

import type { INestApplication } from '@nestjs/common';
import type { AuthOptions } from './auth/auth.types';
import { authOptionsFromConfig } from './auth/auth-options';
import { loadConfig } from './config/load-config';
import { PlatformConfig } from './config/platform.config';
import { preparePlatformDatabase } from './database/platform-database';

export interface StandaloneService {
  /** Builds the service's Nest application (the same factory `npm start` uses). */
  create(config: PlatformConfig, databaseUrl: string, options: { auth: AuthOptions }): Promise<INestApplication>;
  port(config: PlatformConfig): number;
  /** What this service needs beyond the platform's configuration when it runs on its own: messages for what is missing. */
  missing?(config: PlatformConfig): string[];
}

/**
 * A service's `main.ts` in production: one process, configuration from the environment (an
 * identity provider and the keys are required; `npm start`'s development stand-ins are not made
 * here), migrations applied, then listen; SIGINT/SIGTERM close the app, then the database.
 */
export function runService(service: StandaloneService): void {
  const run = async () => {
    const config = loadConfig(PlatformConfig);
    const auth = authOptionsFromConfig(config);
    const missing = [
      ...(auth ? [] : ['AUTH_JWKS_URL and AUTH_ISSUER are required to run a service on its own (npm start provides a development issuer)']),
      ...(config.CHILDLEDGER_KEK ? [] : ['CHILDLEDGER_KEK is required to run a service on its own (npm start makes a development key)']),
      ...(service.missing?.(config) ?? []),
    ];
    if (!auth || missing.length > 0) throw new Error(missing.join('\n'));
    const db = await preparePlatformDatabase(config);
    const app = await service.create(config, db.url, { auth });
    await app.listen(service.port(config), config.HOST);
    const stop = async () => {
      await app.close();
      await db.server.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  };
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

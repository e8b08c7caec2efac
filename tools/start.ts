// `npm start`: the whole platform on this machine. Starts the embedded PostgreSQL (or uses
// DATABASE_URL), applies migrations, starts every service, prints their URLs, and stops it all
// cleanly on Ctrl-C.
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { ConfigError, createLogger, loadConfig, PlatformConfig, preparePlatformDatabase } from '@childledger/platform';
import { createRegistryApi } from '../apps/registry-api/src/registry-api.app';

interface ServiceDefinition {
  name: string;
  port(config: PlatformConfig): number;
  create(config: PlatformConfig, databaseUrl: string): Promise<INestApplication>;
}

/** Every service that exists so far; each new service adds itself here. */
const SERVICES: ServiceDefinition[] = [{ name: 'registry-api', port: (c) => c.REGISTRY_API_PORT, create: createRegistryApi }];

async function main(): Promise<void> {
  let config: PlatformConfig;
  try {
    config = loadConfig(PlatformConfig);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger('start', config.LOG_LEVEL);
  log.info({ embedded: !config.DATABASE_URL }, 'preparing database');
  const db = await preparePlatformDatabase(config, { log: (m) => log.debug({ postgres: m }, 'postgres') });
  log.info({ applied: db.applied, embedded: db.server.embedded }, 'database ready');

  const running: { name: string; app: INestApplication }[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    for (const { name, app } of running.reverse()) {
      await app.close().catch((err: unknown) => log.error({ err, service: name }, 'close failed'));
    }
    await db.server.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  try {
    for (const s of SERVICES) {
      const app = await s.create(config, db.url);
      await app.listen(s.port(config), config.HOST);
      running.push({ name: s.name, app });
    }
  } catch (err) {
    log.error({ err }, 'a service failed to start');
    await stop('startup-failure');
    return;
  }

  const lines = ['', 'ChildLedger is running:', ''];
  for (const { name, app } of running) {
    const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
    lines.push(`  ${name.padEnd(16)} ${url}/api/v1   docs ${url}/docs   health ${url}/health/ready`);
  }
  lines.push('', `  database         ${db.server.embedded ? `embedded PostgreSQL, data in ${config.CHILDLEDGER_DATA_DIR}` : 'DATABASE_URL'}`);
  lines.push('', 'Press Ctrl-C to stop.', '');
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

// One service of `npm start` in its own process (tools/start.ts forks one per service, as production
// runs one container per service): its own logger name, its own process-global state, and a crash
// that the launcher sees. Configuration comes from the environment the launcher hands down (database,
// development keys, the development issuer); the service name is the only argument.
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { authOptionsFromConfig, AuthOptions, loadConfig, PlatformConfig } from '@childledger/platform';
import { createRegistryApi } from '../apps/registry-api/src/registry-api.app';
import { createProjector } from '../apps/projector/src/projector.app';
import { createQueryApi } from '../apps/query-api/src/query-api.app';
import { createStreamGateway } from '../apps/stream-gateway/src/stream-gateway.app';
import { createLogSealer } from '../apps/log-sealer/src/log-sealer.app';
import { createPopulationRegistrySandbox } from '../apps/population-registry-sandbox/src/sandbox.app';
import { createIdentityAdapter } from '../apps/identity-adapter/src/identity-adapter.app';
import { generatedSandboxResidents } from './sandbox-residents';
import { START_SERVICES, type StartServiceName } from './start-services';

type Create = (config: PlatformConfig, databaseUrl: string, options: { auth: AuthOptions }) => Promise<INestApplication>;

const FACTORIES: Record<StartServiceName, Create> = {
  'registry-api': createRegistryApi,
  projector: createProjector,
  'query-api': createQueryApi,
  'log-sealer': createLogSealer,
  'population-registry-sandbox': (c, url, o) => createPopulationRegistrySandbox(c, url, { ...o, residents: () => generatedSandboxResidents() }),
  'identity-adapter': createIdentityAdapter,
  'stream-gateway': createStreamGateway,
};

/** What a service process tells the launcher (over the IPC channel of `fork`). */
export type StartServiceMessage = { ready: string } | { failed: string };

async function main(): Promise<void> {
  const name = process.argv[2] as StartServiceName;
  const definition = START_SERVICES.find((s) => s.name === name);
  if (!definition) throw new Error(`unknown service ${JSON.stringify(name)}`);
  const config = loadConfig(PlatformConfig);
  const auth = authOptionsFromConfig(config);
  if (!auth || !config.DATABASE_URL)
    throw new Error('start-service is run by npm start (tools/start.ts), which sets DATABASE_URL, AUTH_JWKS_URL and AUTH_ISSUER');
  const create = FACTORIES[name];

  const running: { app?: INestApplication } = {};
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Ctrl-C in a terminal reaches every process of the group; the launcher also sends SIGTERM, and a
    // launcher that died (SIGKILL) closes the IPC channel. Each of these closes the app once.
    try {
      await running.app?.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());

  const app = await create(config, config.DATABASE_URL, { auth });
  running.app = app;
  if (stopping) return;
  await app.listen(definition.port(config), config.HOST);
  process.send?.({ ready: await app.getUrl() } satisfies StartServiceMessage);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.send?.({ failed: message.split('\n')[0]! } satisfies StartServiceMessage);
  process.stderr.write(`${process.argv[2] ?? 'service'} failed to start: ${message}\n`);
  process.exit(1);
});

// Runs the identity adapter on its own (NATIONAL_REGISTRY_URL and its client credentials).
import 'reflect-metadata';
import { authOptionsFromConfig, loadConfig, PlatformConfig, preparePlatformDatabase } from '@childledger/platform';
import { createIdentityAdapter } from './identity-adapter.app';

async function main(): Promise<void> {
  const config = loadConfig(PlatformConfig);
  const auth = authOptionsFromConfig(config);
  if (!auth) throw new Error('AUTH_JWKS_URL and AUTH_ISSUER are required to run a service on its own (npm start provides a development issuer)');
  const db = await preparePlatformDatabase(config);
  const app = await createIdentityAdapter(config, db.url, { auth });
  await app.listen(config.IDENTITY_ADAPTER_PORT, config.HOST);
  const stop = async () => {
    await app.close();
    await db.server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

// Runs the log sealer on its own (production: one active instance; a second one waits on the lock).
import 'reflect-metadata';
import { authOptionsFromConfig, loadConfig, PlatformConfig, preparePlatformDatabase } from '@childledger/platform';
import { createLogSealer } from './log-sealer.app';

async function main(): Promise<void> {
  const config = loadConfig(PlatformConfig);
  if (!config.CHILDLEDGER_SEAL_KEY) throw new Error('CHILDLEDGER_SEAL_KEY is required to run the log sealer on its own (npm start makes a development key)');
  if (!config.CHILDLEDGER_KEK) throw new Error('CHILDLEDGER_KEK is required to run a service on its own (npm start makes a development key)');
  const auth = authOptionsFromConfig(config);
  if (!auth) throw new Error('AUTH_JWKS_URL and AUTH_ISSUER are required to run a service on its own (npm start provides a development issuer)');
  const db = await preparePlatformDatabase(config);
  const app = await createLogSealer(config, db.url, { auth });
  await app.listen(config.LOG_SEALER_PORT, config.HOST);
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

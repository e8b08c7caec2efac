// Runs the projector on its own (production: one active instance; a second one is harmless, its
// batches are fenced by the checkpoint row, but it only wastes work).
import 'reflect-metadata';
import { authOptionsFromConfig, loadConfig, PlatformConfig, preparePlatformDatabase } from '@childledger/platform';
import { createProjector } from './projector.app';

async function main(): Promise<void> {
  const config = loadConfig(PlatformConfig);
  const auth = authOptionsFromConfig(config);
  if (!auth) throw new Error('AUTH_JWKS_URL and AUTH_ISSUER are required to run a service on its own (npm start provides a development issuer)');
  const db = await preparePlatformDatabase(config);
  const app = await createProjector(config, db.url, { auth });
  await app.listen(config.PROJECTOR_PORT, config.HOST);
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

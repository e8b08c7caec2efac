// Runs the query API on its own (production: one process per service, DATABASE_URL set).
import 'reflect-metadata';
import { authOptionsFromConfig, loadConfig, PlatformConfig, preparePlatformDatabase } from '@childledger/platform';
import { createQueryApi } from './query-api.app';

async function main(): Promise<void> {
  const config = loadConfig(PlatformConfig);
  const auth = authOptionsFromConfig(config);
  if (!auth) throw new Error('AUTH_JWKS_URL and AUTH_ISSUER are required to run a service on its own (npm start provides a development issuer)');
  const db = await preparePlatformDatabase(config);
  const app = await createQueryApi(config, db.url, { auth });
  await app.listen(config.QUERY_API_PORT, config.HOST);
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

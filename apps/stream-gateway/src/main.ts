// Runs the stream gateway on its own (production: one process per service, DATABASE_URL set).
// One active instance per partner projection: a second instance is safe (it never writes a batch
// twice) but wasted work; run the HTTP side with several replicas sharing PARTNER_TOKEN_SECRET.
import 'reflect-metadata';
import { authOptionsFromConfig, loadConfig, PlatformConfig, preparePlatformDatabase } from '@childledger/platform';
import { createStreamGateway } from './stream-gateway.app';

async function main(): Promise<void> {
  const config = loadConfig(PlatformConfig);
  const auth = authOptionsFromConfig(config);
  if (!auth) throw new Error('AUTH_JWKS_URL and AUTH_ISSUER are required to run a service on its own (npm start provides a development issuer)');
  if (!config.PARTNER_SECRETS_FILE && !process.env['PARTNER_TOKEN_SECRET']) throw new Error('PARTNER_TOKEN_SECRET and partner secrets (PARTNER_SECRETS_FILE or PARTNER_<ID>_KEY_SECRET) are required on their own');
  const db = await preparePlatformDatabase(config);
  const app = await createStreamGateway(config, db.url, { auth, devSecrets: false });
  await app.listen(config.STREAM_GATEWAY_PORT, config.HOST);
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

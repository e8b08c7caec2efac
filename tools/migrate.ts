// `npm run migrate`: applies every pending migration to the platform's database (DATABASE_URL,
// or the embedded server's) and exits: ALL_MIGRATIONS of libs/migrations. `npm start` does the same at
// boot; services never migrate (each checks that its own tables' migrations were applied).
import 'reflect-metadata';
import { createPool, setRuntimeRolePassword } from '@childledger/database';
import { createLogger, loadConfig, PlatformConfig } from '@childledger/platform';
import { preparePlatformDatabase } from '@childledger/migrations';

async function main(): Promise<void> {
  const config = loadConfig(PlatformConfig);
  const log = createLogger('migrate', config.LOG_LEVEL);
  const db = await preparePlatformDatabase(config);
  log.info({ applied: db.applied }, db.applied.length ? 'migrations applied' : 'schema up to date');
  // The role the services log in as (childledger_runtime, made by the migrations) gets its login
  // here where no operator manages it (compose); CloudNativePG's managed role does it in Kubernetes.
  const runtimePassword = process.env['CHILDLEDGER_RUNTIME_PASSWORD'];
  if (runtimePassword) {
    const owner = createPool(db.url, { role: null, max: 1 });
    await setRuntimeRolePassword(owner, runtimePassword).finally(() => owner.end());
    log.info('runtime role childledger_runtime may log in');
  }
  await db.server.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

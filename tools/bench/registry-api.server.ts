// The registry API as a process of its own for `npm run bench -- commands` (so the load generator
// does not share its event loop). Prints one JSON line {port, tokens} on stdout once listening.
import 'reflect-metadata';
import { DEV_USERS, DevIssuer, PlatformConfig } from '@childledger/platform';
import { createRegistryApi } from '../../apps/registry-api/src/registry-api.app';

async function main(): Promise<void> {
  const url = process.env['BENCH_DATABASE_URL'];
  if (!url) throw new Error('BENCH_DATABASE_URL is required');
  const issuer = await DevIssuer.create();
  // Logs at warn: a JSON line per request would go to this process's stdout, which the bench reads.
  const config = Object.assign(new PlatformConfig(), {
    LOG_LEVEL: 'warn' as const,
    CHILDLEDGER_KEK: process.env['CHILDLEDGER_KEK'],
    CHILDLEDGER_DEDUPE_KEY: process.env['CHILDLEDGER_DEDUPE_KEY'],
    // The bench sends everything as one user: the per-user limit stays on (its cost is measured) but
    // far above what the bench sends.
    USER_RATE_LIMIT_PER_MINUTE: 100_000_000,
    IMPORT_RATE_LIMIT_PER_MINUTE: 100_000,
  });
  const app = await createRegistryApi(config, url, { auth: issuer.authOptions(), poolSize: 24, importMaxBytes: 200 * 1024 * 1024 });
  await app.listen(0, '127.0.0.1');
  const port = Number(new URL(await app.getUrl()).port);
  const tokens = { communeOfficer: await issuer.tokenFor(DEV_USERS.communeOfficer), admin: await issuer.tokenFor(DEV_USERS.admin) };
  process.stdout.write(`${JSON.stringify({ port, tokens })}\n`);
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

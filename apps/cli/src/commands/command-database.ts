import { dirname, resolve } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '@childledger/database';
import { PlatformConfig } from '@childledger/platform';
import { preparePlatformDatabase } from '@childledger/migrations';
import { readDevelopmentKeys } from '@childledger/trust';

/**
 * The database a trust or keys command works on: `--database-url` or DATABASE_URL as given; else
 * the embedded database of a running `npm start`, if `probeTable` answers there; else an embedded
 * server started (and migrated) for this command. `stop` ends what was started here, nothing else.
 */
export async function openCommandDatabase(
  url: string | undefined,
  config: PlatformConfig,
  probeTable: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const given = url ?? config.DATABASE_URL;
  if (given) return { url: given, stop: async () => undefined };
  const running = withDatabase(`postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}/postgres`, config.DATABASE_NAME);
  const client = new Client({ connectionString: running, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query(`SELECT 1 FROM ${probeTable} LIMIT 1`);
    return { url: running, stop: async () => undefined };
  } catch {
    const db = await preparePlatformDatabase(config);
    return { url: db.url, stop: () => db.server.stop() };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The development keys of `npm start` beside its data directory (see `loadOrCreateDevelopmentKeys`). */
export function startDevelopmentKeys(config: PlatformConfig): ReturnType<typeof readDevelopmentKeys> {
  return readDevelopmentKeys(dirname(resolve(config.CHILDLEDGER_DATA_DIR)));
}

import { Pool, PoolConfig } from 'pg';

/**
 * The role the services run as. Migrations create it and grant it only what the application
 * needs: on the event log that is INSERT and SELECT, never UPDATE or DELETE.
 */
export const APPLICATION_ROLE = 'childledger_app';

export interface PoolOptions extends Omit<PoolConfig, 'connectionString'> {
  /** Run every session as this role (`SET ROLE` at connection start). Defaults to the application role; `null` keeps the login role. */
  role?: string | null;
}

export function createPool(url: string, options: PoolOptions = {}): Pool {
  const { role = APPLICATION_ROLE, ...rest } = options;
  const pool = new Pool({
    connectionString: url,
    max: 10,
    ...rest,
    ...(role ? { options: `-c role=${role}` } : {}),
  });
  // A connection's error (server restart, network) must not crash the process: an idle client is
  // dropped by the pool, a checked-out one fails its query in flight, which the caller sees.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

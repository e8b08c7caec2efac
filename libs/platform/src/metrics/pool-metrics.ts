import type { Pool } from 'pg';
import { Gauge, Registry } from 'prom-client';

/**
 * The service's PostgreSQL pool, read at each scrape: connections open, idle, and queries waiting
 * for one (any waiting for long: the pool is too small or connections are held too long).
 */
export function registerPoolMetrics(registry: Registry, pool: Pool, max: number): Registry {
  const gauge = (name: string, help: string, read: () => number) =>
    registry.getSingleMetric(name) ??
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('childledger_pg_pool_connections', 'Connections the PostgreSQL pool holds open (idle and in use)', () => pool.totalCount);
  gauge('childledger_pg_pool_idle_connections', 'Open PostgreSQL pool connections not in use', () => pool.idleCount);
  gauge('childledger_pg_pool_waiting_clients', 'Queries waiting for a PostgreSQL pool connection', () => pool.waitingCount);
  gauge('childledger_pg_pool_max_connections', 'Most connections the PostgreSQL pool may open', () => max);
  return registry;
}

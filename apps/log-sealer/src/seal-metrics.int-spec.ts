import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { LogSealer, SealKey, TRUST_MIGRATIONS } from '@childledger/trust';
import { SealMetrics } from './seal-metrics';

const value = async (registry: Registry, name: string) => (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value;

describe('log sealer metrics (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...TRUST_MIGRATIONS]);
    pool = createPool(db.url, { max: 3 });
    store = createPostgresEventStore({ pool });
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  it('shows no age before the first checkpoint, the events waiting, then a fresh age and none waiting once sealed', async () => {
    const registry = new Registry();
    new SealMetrics(registry, pool);
    for (let i = 0; i < 4; i++) await store.append(`s-${randomUUID()}`, [{ id: randomUUID(), type: 'Sealed', data: { i }, metadata: {} }]);
    expect(await value(registry, 'childledger_log_seal_age_seconds')).toBeNaN();
    expect(await value(registry, 'childledger_log_unsealed_events')).toBe(4);
    expect(await value(registry, 'childledger_log_unsealed_age_seconds')).toBeGreaterThanOrEqual(0);

    const sealer = new LogSealer({ pool, key: SealKey.fromBase64Seed(SealKey.generateSeed()), everyEvents: 1000, everyMs: 3_600_000 });
    await sealer.sealNow();
    const age = await value(registry, 'childledger_log_seal_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
    expect(await value(registry, 'childledger_log_unsealed_events')).toBe(0);
    expect(await value(registry, 'childledger_log_unsealed_age_seconds')).toBe(0);

    // One more event: waiting again, until the next checkpoint.
    await store.append(`s-${randomUUID()}`, [{ id: randomUUID(), type: 'Sealed', data: { i: 5 }, metadata: {} }]);
    expect(await value(registry, 'childledger_log_unsealed_events')).toBe(1);
    expect(await value(registry, 'childledger_log_unsealed_age_seconds')).toBeLessThan(60);
  });
});

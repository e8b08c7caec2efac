import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Gauge, Registry } from 'prom-client';
import { METRICS_REGISTRY, PG_POOL } from '@childledger/platform';

/**
 * How far the signed checkpoints trail the log, read from `log_sealer_state` at each scrape:
 * `childledger_log_seal_age_seconds` (since the last checkpoint was signed; absent before the
 * first) and `childledger_log_unsealed_events` (events after the last checkpoint: chained but not
 * signed, plus not yet chained, the latter by global positions, so a rolled-back append's gap can
 * count). An age that grows while events wait means the sealer is not sealing (alert LogSealStale).
 */
@Injectable()
export class SealMetrics {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @Inject(PG_POOL) pool: Pool) {
    let read: Promise<{ age: number | null; unsealed: number } | undefined> | undefined;
    // One query per scrape for both gauges.
    const state = () =>
      (read ??= pool
        .query<{ age: number | null; unsealed: string }>(
          `SELECT extract(epoch FROM now() - s.sealed_at)::float8 AS age,
                  ((s.seq - s.sealed_seq) + greatest(0, coalesce((SELECT max(global_position) FROM events), 0) - s.last_position))::text AS unsealed
             FROM log_sealer_state s WHERE s.id = 1`,
        )
        .then(({ rows }) => (rows[0] ? { age: rows[0].age, unsealed: Number(rows[0].unsealed) } : undefined))
        .catch(() => undefined)
        .finally(() => setImmediate(() => (read = undefined))));
    if (!registry.getSingleMetric('childledger_log_seal_age_seconds')) {
      new Gauge({
        name: 'childledger_log_seal_age_seconds',
        help: 'Seconds since the log sealer signed its last checkpoint',
        registers: [registry],
        async collect() {
          this.reset();
          const s = await state();
          if (s?.age !== null && s?.age !== undefined) this.set(s.age);
        },
      });
    }
    if (!registry.getSingleMetric('childledger_log_unsealed_events')) {
      new Gauge({
        name: 'childledger_log_unsealed_events',
        help: 'Events in the log after the last signed checkpoint (chained but unsigned, and not yet chained)',
        registers: [registry],
        async collect() {
          this.reset();
          const s = await state();
          if (s) this.set(s.unsealed);
        },
      });
    }
  }
}

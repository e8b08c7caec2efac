import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Gauge, Registry } from 'prom-client';
import { METRICS_REGISTRY, PG_POOL } from '@childledger/platform';

interface SealState {
  /** Seconds since the last signed checkpoint; null before the first. */
  age: number | null;
  unsealed: number;
  /** Seconds the oldest event after the last checkpoint has waited; null when none waits. */
  waiting: number | null;
}

/**
 * How far the signed checkpoints trail the log, read from the sealer's tables at each scrape (one
 * query for the three gauges):
 * - `childledger_log_seal_age_seconds`: since the last checkpoint was signed (NaN before the first);
 *   it grows on a quiet log too, where nothing is new to seal;
 * - `childledger_log_unsealed_events`: events after the last checkpoint (by global positions, so a
 *   rolled-back append's gap can count);
 * - `childledger_log_unsealed_age_seconds`: how long the oldest of them has waited (0 when none):
 *   what tamper evidence is missing for, and what alert ChildLedgerLogSealStale watches.
 */
@Injectable()
export class SealMetrics {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @Inject(PG_POOL) pool: Pool) {
    let read: Promise<SealState | undefined> | undefined;
    const state = () =>
      (read ??= pool
        .query<{ age: number | null; unsealed: string; waiting: number | null }>(
          `SELECT extract(epoch FROM now() - s.sealed_at)::float8 AS age,
                  greatest(0, coalesce((SELECT max(global_position) FROM events), 0) - sealed.position)::text AS unsealed,
                  (SELECT greatest(0, extract(epoch FROM now() - e.recorded_at))::float8 FROM events e
                    WHERE e.global_position > sealed.position ORDER BY e.global_position LIMIT 1) AS waiting
             FROM log_sealer_state s
            CROSS JOIN LATERAL (SELECT coalesce((SELECT c.global_position FROM log_chain c WHERE c.seq = s.sealed_seq), 0) AS position) sealed
            WHERE s.id = 1`,
        )
        .then(({ rows }) => (rows[0] ? { age: rows[0].age, unsealed: Number(rows[0].unsealed), waiting: rows[0].waiting } : undefined))
        .catch(() => undefined)
        .finally(() => setImmediate(() => (read = undefined))));
    const gauge = (name: string, help: string, pick: (s: SealState) => number) => {
      if (registry.getSingleMetric(name)) return;
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          const s = await state();
          this.set(s ? pick(s) : NaN);
        },
      });
    };
    gauge('childledger_log_seal_age_seconds', 'Seconds since the log sealer signed its last checkpoint (NaN before the first)', (s) => s.age ?? NaN);
    gauge('childledger_log_unsealed_events', 'Events in the log after the last signed checkpoint', (s) => s.unsealed);
    gauge('childledger_log_unsealed_age_seconds', 'Seconds the oldest event after the last signed checkpoint has waited (0 when none)', (s) => s.waiting ?? 0);
  }
}

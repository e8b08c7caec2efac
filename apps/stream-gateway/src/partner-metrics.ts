import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Gauge, Registry } from 'prom-client';
import { kafkaRelayName, projectionName } from '@childledger/partner-outbox';
import { ROUTING_EVENT_TYPES } from '@childledger/partner-streams';
import { METRICS_REGISTRY, PG_POOL } from '@childledger/platform';
import { PartnerStreamsService } from './partner-streams.service';

/** The most events counted behind a partner projection at one scrape: enough to alert on, cheap to count. */
const LAG_COUNT_CAP = 100_000;

/**
 * How far each partner's stream trails, read from the checkpoints at each scrape (the same figure
 * on every gateway replica: alert on the max):
 * - `childledger_partner_projection_lag_events{partner}`: events of the types the partner's
 *   projection (event log → outbox) reads, committed after its checkpoint;
 * - `childledger_partner_relay_lag_rows{partner}`: outbox rows the partner's Kafka relay has not
 *   delivered (partners with the kafka channel, when this gateway has KAFKA_BROKERS).
 */
@Injectable()
export class PartnerStreamMetrics {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @Inject(PG_POOL) pool: Pool, partners: PartnerStreamsService) {
    if (!registry.getSingleMetric('childledger_partner_projection_lag_events')) {
      new Gauge({
        name: 'childledger_partner_projection_lag_events',
        help: `Events of the types a partner's projection (event log to outbox) reads, after its checkpoint (counted up to ${LAG_COUNT_CAP})`,
        labelNames: ['partner'],
        registers: [registry],
        async collect() {
          this.reset();
          for (const { agreement } of partners.list()) {
            // Its subscription is filtered by event type: its checkpoint moves only with events it reads, so the
            // log's head is not the measure; the events of its types past the checkpoint are (capped: a count, not a scan of the log).
            const types = [...new Set([...ROUTING_EVENT_TYPES, ...Object.keys(agreement.events)])];
            const { rows } = await pool.query<{ lag: string }>(
              `SELECT count(*)::text AS lag FROM (
                 SELECT 1 FROM events
                  WHERE global_position > coalesce((SELECT split_part(checkpoint, ':', 2)::bigint FROM subscription_checkpoints WHERE subscription_name = $1), 0)
                    AND event_type = ANY($2::text[])
                  LIMIT ${LAG_COUNT_CAP}) behind`,
              [projectionName(agreement.id), types],
            );
            this.set({ partner: agreement.id }, Number(rows[0]!.lag));
          }
        },
      });
    }
    if (!registry.getSingleMetric('childledger_partner_relay_lag_rows')) {
      new Gauge({
        name: 'childledger_partner_relay_lag_rows',
        help: "Rows of a partner's outbox its Kafka relay has not delivered yet",
        labelNames: ['partner'],
        registers: [registry],
        async collect() {
          this.reset();
          if (!partners.options.kafkaBrokers?.length) return;
          const ids = partners
            .list()
            .filter((p) => p.agreement.channels.includes('kafka'))
            .map((p) => p.agreement.id);
          if (ids.length === 0) return;
          const { rows } = await pool.query<{ partner: string; lag: string }>(
            `SELECT p.id AS partner,
                    greatest(0, coalesce((SELECT max(o.seq) FROM partner_outbox o WHERE o.partner_id = p.id), 0)
                              - coalesce((SELECT c.checkpoint::bigint FROM subscription_checkpoints c WHERE c.subscription_name = p.name), 0))::text AS lag
               FROM unnest($1::text[], $2::text[]) AS p(id, name)`,
            [ids, ids.map(kafkaRelayName)],
          );
          for (const r of rows) this.set({ partner: r.partner }, Number(r.lag));
        },
      });
    }
  }
}

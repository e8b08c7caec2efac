import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { createPostgresEventStore, EVENT_STORE_MIGRATIONS, EventStore } from '@childledger/event-store';
import { kafkaRelayName, projectionName } from '@childledger/partner-outbox';
import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';
import { parsePartnersDocument, PartnerAgreement } from '@childledger/partner-streams';
import { PartnerStreamMetrics } from './partner-metrics';
import type { PartnerStreamsService } from './partner-streams.service';

const partners = parsePartnersDocument(JSON.parse(readFileSync(path.resolve(__dirname, '../partners.json'), 'utf8')));

/** The gauges read at a scrape, by partner. */
async function gauge(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name)!;
  return Object.fromEntries(metric.values.map((v) => [String(v.labels['partner']), v.value]));
}

describe('partner stream metrics (real PostgreSQL): projection lag by the events of its types, relay lag by outbox rows', () => {
  let db: TestDatabase;
  let owner: Pool;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase([...EVENT_STORE_MIGRATIONS, ...PARTNER_STREAMS_MIGRATIONS]);
    owner = createPool(db.url, { role: null, max: 2 });
    store = createPostgresEventStore({ pool: owner });
  });
  afterAll(async () => {
    await store?.close();
    await owner?.end();
    await db?.drop();
  });

  const service = (kafka: boolean, agreements: PartnerAgreement[] = partners) =>
    ({
      options: { kafkaBrokers: kafka ? ['kafka:9093'] : undefined },
      list: () => agreements.map((agreement) => ({ agreement })),
    }) as unknown as PartnerStreamsService;

  it('counts the events of the types a partner reads after its checkpoint (not the log’s head), and undelivered outbox rows per Kafka partner', async () => {
    const kafkaPartner = partners.find((p) => p.channels.includes('kafka'))!;
    const other = partners.find((p) => p !== kafkaPartner)!;
    // Three events a partner reads (ChildRegistered routes every partner's stream), then one of a type no agreement names.
    const appended = [];
    for (let i = 0; i < 3; i++)
      appended.push(await store.append(`child-${randomUUID()}`, [{ id: randomUUID(), type: 'ChildRegistered', data: {}, metadata: {} }]));
    await store.append(`other-${randomUUID()}`, [{ id: randomUUID(), type: 'SomethingNoPartnerReads', data: {}, metadata: {} }]);
    // The Kafka partner's projection has applied the first event; the other partner's, all three.
    await owner.query(`INSERT INTO subscription_checkpoints (subscription_name, checkpoint) VALUES ($1, $2), ($3, $4)`, [
      projectionName(kafkaPartner.id),
      appended[0]!.position,
      projectionName(other.id),
      appended[2]!.position,
    ]);
    // Five outbox rows for the Kafka partner, its relay has delivered through the second.
    const seqs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { rows } = await owner.query<{ seq: string }>(
        `INSERT INTO partner_outbox (partner_id, child_id, event_id, event) VALUES ($1, $2, $3, '{}') RETURNING seq::text`,
        [kafkaPartner.id, `c${i}`, randomUUID()],
      );
      seqs.push(rows[0]!.seq);
    }
    await owner.query(`INSERT INTO subscription_checkpoints (subscription_name, checkpoint) VALUES ($1, $2)`, [kafkaRelayName(kafkaPartner.id), seqs[1]]);

    const registry = new Registry();
    new PartnerStreamMetrics(registry, owner, service(true));
    expect(await gauge(registry, 'childledger_partner_projection_lag_events')).toEqual({ [kafkaPartner.id]: 2, [other.id]: 0 });
    expect(await gauge(registry, 'childledger_partner_relay_lag_rows')).toEqual({ [kafkaPartner.id]: 3 });

    // The relay delivers everything: 0. Without KAFKA_BROKERS there is no relay and no series.
    await owner.query(`UPDATE subscription_checkpoints SET checkpoint = $2 WHERE subscription_name = $1`, [kafkaRelayName(kafkaPartner.id), seqs[4]]);
    expect(await gauge(registry, 'childledger_partner_relay_lag_rows')).toEqual({ [kafkaPartner.id]: 0 });
    const withoutKafka = new Registry();
    new PartnerStreamMetrics(withoutKafka, owner, service(false));
    expect(await gauge(withoutKafka, 'childledger_partner_relay_lag_rows')).toEqual({});
    // A partner whose projection has no checkpoint yet is behind by every event it reads.
    const fresh = new Registry();
    new PartnerStreamMetrics(fresh, owner, service(false, [{ ...other, id: 'newcomer' }]));
    expect(await gauge(fresh, 'childledger_partner_projection_lag_events')).toEqual({ newcomer: 3 });
  });
});

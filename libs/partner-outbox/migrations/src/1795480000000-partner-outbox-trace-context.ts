import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C `traceparent` of the command behind each outbox row (copied from the source event's
 * metadata by the partner projection), so that the Kafka relay's send and the feed's pages link to
 * the command's trace. Internal: never part of the CloudEvent a partner receives. Null for rows
 * written before this migration and for events appended without tracing.
 */
export class PartnerOutboxTraceContext1795480000000 implements MigrationInterface {
  name = 'PartnerOutboxTraceContext1795480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE partner_outbox ADD COLUMN traceparent text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE partner_outbox DROP COLUMN traceparent`);
  }
}

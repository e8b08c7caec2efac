import { APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox retention: when each outbox row was written (rows already there count from this
 * migration, so an upgrade never prunes anything before a full retention period has passed), and
 * per partner the last outbox sequence pruned, so that a feed reader whose cursor is before it
 * gets a 410 rather than a silent gap. The application role may now delete outbox rows.
 */
export class PartnerOutboxRetention1733000000001 implements MigrationInterface {
  name = 'PartnerOutboxRetention1733000000001';

  async up(q: QueryRunner): Promise<void> {
    // now() is evaluated once here: every existing row gets this instant, without rewriting the table.
    await q.query(`ALTER TABLE partner_outbox ADD COLUMN written_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`
      CREATE TABLE partner_outbox_horizons (
        partner_id     text PRIMARY KEY,
        pruned_through bigint NOT NULL,
        pruned_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`GRANT DELETE ON partner_outbox TO ${APPLICATION_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON partner_outbox_horizons TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE DELETE ON partner_outbox FROM ${APPLICATION_ROLE}`);
    await q.query(`DROP TABLE partner_outbox_horizons`);
    await q.query(`ALTER TABLE partner_outbox DROP COLUMN written_at`);
  }
}

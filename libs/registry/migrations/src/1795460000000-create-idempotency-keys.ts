import { APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Results of commands sent with an `Idempotency-Key`, one row per (user, key). The row is written in
 * the same transaction as the command's events, so either both exist or neither: a retry after a
 * lost response finds the row and replays it; a retry after a crash before commit finds nothing
 * and runs the command afresh. Rows may be deleted after a retention period (the application role
 * may DELETE here, unlike on `events`).
 */
export class CreateIdempotencyKeys1795460000000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1795460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id         text NOT NULL,
        idempotency_key text NOT NULL,
        fingerprint     text NOT NULL,
        status_code     integer NOT NULL,
        stream_id       text NOT NULL,
        result          jsonb NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, idempotency_key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON idempotency_keys TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}

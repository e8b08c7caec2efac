import { APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events a subscription could not apply after its bounded retries (and, for subscriptions that
 * keep each stream's order, the later events of that stream, parked behind it). The subscription
 * moves on; an operator retries or skips them (`npm run cli -- dead-letters`, docs/runbooks/dead-letters.md).
 * No event data is copied here: the row points at the event (stream, revision, position).
 */
export class CreateSubscriptionDeadLetters1732300000001 implements MigrationInterface {
  name = 'CreateSubscriptionDeadLetters1732300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscription_dead_letters (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        subscription_name text NOT NULL,
        stream_id         text NOT NULL,
        stream_revision   bigint NOT NULL,
        position          text NOT NULL,
        event_id          text NOT NULL,
        event_type        text NOT NULL,
        status            text NOT NULL CHECK (status IN ('failed', 'parked', 'retry', 'applied', 'skipped')),
        error             text NOT NULL,
        attempts          integer NOT NULL,
        first_failed_at   timestamptz NOT NULL DEFAULT now(),
        last_failed_at    timestamptz NOT NULL DEFAULT now(),
        resolved_at       timestamptz,
        CONSTRAINT subscription_dead_letters_event_key UNIQUE (subscription_name, event_id)
      )`);
    await q.query(
      `CREATE INDEX subscription_dead_letters_open_idx ON subscription_dead_letters (subscription_name, stream_id, stream_revision) WHERE resolved_at IS NULL`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE ON subscription_dead_letters TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_dead_letters`);
  }
}

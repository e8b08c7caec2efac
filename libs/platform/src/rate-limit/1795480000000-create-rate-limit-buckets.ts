import { APPLICATION_ROLE, ensureApplicationRole } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The per-user rate limits' counters (rate-limit/pg-throttler-storage.ts), shared by every replica:
 * one row per (key, fixed window), `hits` incremented by one upsert per request. The key is a hash
 * of the limit's name and the user id, never the id itself. Rows of past windows are deleted by the
 * services (the application role may DELETE here), so the table stays as small as the active users.
 */
export class CreateRateLimitBuckets1795480000000 implements MigrationInterface {
  name = 'CreateRateLimitBuckets1795480000000';

  async up(q: QueryRunner): Promise<void> {
    await ensureApplicationRole(q);
    await q.query(`
      CREATE TABLE rate_limit_buckets (
        key          text NOT NULL,
        window_start timestamptz NOT NULL,
        expires_at   timestamptz NOT NULL,
        hits         integer NOT NULL,
        PRIMARY KEY (key, window_start)
      )`);
    await q.query(`CREATE INDEX rate_limit_buckets_expires_at_idx ON rate_limit_buckets (expires_at)`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_buckets TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_buckets`);
  }
}

/** The platform's own tables (after the contexts', before the database's runtime role). */
export const RATE_LIMIT_MIGRATIONS = [CreateRateLimitBuckets1795480000000];

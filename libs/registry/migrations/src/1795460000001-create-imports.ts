import { APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The import ledger: one row per bulk import (progress while it runs, counts at the end) and its
 * rejected rows and warnings. The events themselves need no ledger to be written once: each row's
 * child id and event ids derive from its content, so a second import of a row finds its stream.
 */
export class CreateImports1795460000001 implements MigrationInterface {
  name = 'CreateImports1795460000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        import_id             uuid PRIMARY KEY,
        file_name             text,
        file_sha256           text NOT NULL,
        file_bytes            bigint NOT NULL,
        format                text NOT NULL CHECK (format IN ('csv', 'xlsx')),
        status                text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        user_id               text NOT NULL,
        user_role             text NOT NULL,
        correlation_id        text,
        bytes_read            bigint NOT NULL DEFAULT 0,
        rows_read             integer NOT NULL DEFAULT 0,
        rows_imported         integer NOT NULL DEFAULT 0,
        rows_already_imported integer NOT NULL DEFAULT 0,
        rows_rejected         integer NOT NULL DEFAULT 0,
        warnings              integer NOT NULL DEFAULT 0,
        error                 text,
        started_at            timestamptz NOT NULL DEFAULT now(),
        heartbeat_at          timestamptz NOT NULL DEFAULT now(),
        finished_at           timestamptz
      )`);
    await q.query(`CREATE INDEX imports_file_sha256_idx ON imports (file_sha256)`);
    await q.query(`
      CREATE TABLE import_problems (
        import_id   uuid NOT NULL REFERENCES imports (import_id) ON DELETE CASCADE,
        seq         integer NOT NULL,
        kind        text NOT NULL CHECK (kind IN ('rejected', 'warning')),
        row_number  integer NOT NULL,
        record_ref  text,
        column_name text,
        header      text,
        code        text NOT NULL,
        reason      text NOT NULL,
        PRIMARY KEY (import_id, seq)
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON imports TO ${APPLICATION_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON import_problems TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_problems`);
    await q.query(`DROP TABLE imports`);
  }
}

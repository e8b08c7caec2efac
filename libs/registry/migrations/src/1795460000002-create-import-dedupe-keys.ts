import { APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which imported child a row stands for, without deriving the child's id from the row's content:
 * each imported child has a random id and one or two keyed hashes (HMAC-SHA-256 under
 * CHILDLEDGER_DEDUPE_KEY) of what identifies it across imports: commune + folded full name + date of
 * birth, and the personal ID when the row states a valid one (docs/formats.md). A row whose hash is
 * here is already imported, even when other columns were corrected since. Rows are written in the
 * transaction of the child's events; erasing the child deletes its rows (the application role may DELETE).
 *
 * Import problems keep row numbers and the rule broken, not the row's values: rows written before
 * (reasons quoting cells, record references) are scrubbed here.
 */
export class CreateImportDedupeKeys1795460000002 implements MigrationInterface {
  name = 'CreateImportDedupeKeys1795460000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_dedupe_keys (
        dedupe_key text PRIMARY KEY,
        child_id   uuid NOT NULL,
        import_id  uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX import_dedupe_keys_child_id_idx ON import_dedupe_keys (child_id)`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON import_dedupe_keys TO ${APPLICATION_ROLE}`);
    await q.query(`UPDATE import_problems SET record_ref = NULL, reason = code`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_dedupe_keys`);
  }
}

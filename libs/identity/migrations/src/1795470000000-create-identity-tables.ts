import { APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tables of the identity context:
 * - `sandbox_residents`: the sandbox national population database (stands in for the real one in
 *   development and tests), indexed for the searches it offers (name key + birth year, given name +
 *   date of birth, date of birth + commune or province);
 * - `identity_review_queue`: children the adapter sent to review, with their ranked candidates, for
 *   the data officers' reconciliation queue (a read model: rebuilt from the adapter's decisions);
 * - `identity_children`: child id → commune and status, no personal data, for finding duplicates
 *   within a jurisdiction.
 */
export class CreateIdentityTables1795470000000 implements MigrationInterface {
  name = 'CreateIdentityTables1795470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sandbox_residents (
        personal_id                      text PRIMARY KEY,
        full_name                        text NOT NULL,
        family_folded                    text NOT NULL,
        given_folded                     text NOT NULL,
        full_folded                      text NOT NULL,
        sex                              text,
        date_of_birth                    date,
        birth_year                       integer,
        birth_registration_province_code text,
        residence_commune_code           text,
        residence_province_code          text,
        father_full_name                 text,
        mother_full_name                 text
      )`);
    await q.query(`CREATE INDEX sandbox_residents_name_year_idx ON sandbox_residents (family_folded, given_folded, birth_year)`);
    await q.query(`CREATE INDEX sandbox_residents_given_dob_idx ON sandbox_residents (given_folded, date_of_birth)`);
    await q.query(`CREATE INDEX sandbox_residents_dob_commune_idx ON sandbox_residents (date_of_birth, residence_commune_code)`);
    await q.query(`CREATE INDEX sandbox_residents_dob_province_idx ON sandbox_residents (date_of_birth, residence_province_code)`);
    await q.query(`GRANT SELECT, INSERT ON sandbox_residents TO ${APPLICATION_ROLE}`);

    await q.query(`
      CREATE TABLE identity_review_queue (
        child_id           text PRIMARY KEY,
        commune_code       text NOT NULL,
        status             text NOT NULL CHECK (status IN ('open', 'resolved')),
        reason             text NOT NULL,
        candidates         jsonb NOT NULL,
        explanation        text NOT NULL,
        requested_event_id uuid NOT NULL,
        requested_at       timestamptz NOT NULL,
        resolved_at        timestamptz,
        resolution         text
      )`);
    await q.query(`CREATE INDEX identity_review_queue_open_idx ON identity_review_queue (commune_code) WHERE status = 'open'`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON identity_review_queue TO ${APPLICATION_ROLE}`);

    await q.query(`
      CREATE TABLE identity_children (
        child_id     text PRIMARY KEY,
        commune_code text NOT NULL,
        recorded_on  date NOT NULL,
        status       text NOT NULL CHECK (status IN ('active', 'merged', 'erased')),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON identity_children TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity_children`);
    await q.query(`DROP TABLE identity_review_queue`);
    await q.query(`DROP TABLE sandbox_residents`);
  }
}

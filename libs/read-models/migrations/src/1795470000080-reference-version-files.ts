import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The version history of targets and child populations (the console's Administration screen): each
 * upload keeps the name of the file it came from and the uploader's display name beside their id,
 * and a version's rows are read by version (the primary key leads with the unit, not the version).
 * Versions uploaded before this migration have neither (null).
 */
export class ReferenceVersionFiles1795470000080 implements MigrationInterface {
  name = 'ReferenceVersionFiles1795470000080';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE indicator_reference_versions ADD COLUMN file_name text, ADD COLUMN loaded_by_name text`);
    await q.query(`CREATE INDEX indicator_reference_values_version_idx ON indicator_reference_values (kind, version, unit_code, period, indicator)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX indicator_reference_values_version_idx`);
    await q.query(`ALTER TABLE indicator_reference_versions DROP COLUMN file_name, DROP COLUMN loaded_by_name`);
  }
}

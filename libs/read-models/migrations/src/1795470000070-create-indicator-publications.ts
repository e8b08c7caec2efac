import { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '@childledger/database';

/**
 * Published indicator figures (issue 12, "Reproducible statistics"): each row freezes what the
 * indicators query answered, with the indicators projection's checkpoint read in the same snapshot
 * and the reference versions in force, so that the figure can be recomputed from the log as it stood
 * (docs/indicators.md, "Published figures"). Append-only: the application role may INSERT and
 * SELECT, never UPDATE or DELETE; a correction is a new row naming the one it supersedes.
 */
export class CreateIndicatorPublications1795470000070 implements MigrationInterface {
  name = 'CreateIndicatorPublications1795470000070';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE indicator_publications (
        id                  uuid PRIMARY KEY,
        title               text NOT NULL,
        note                text,
        supersedes          uuid REFERENCES indicator_publications (id),
        unit_code           text NOT NULL,
        -- The unit in today's codes, for the jurisdiction filter of lists (null province: the whole country).
        jurisdiction_province text,
        jurisdiction_commune  text,
        period_label        text NOT NULL,
        query               jsonb NOT NULL,
        request             jsonb NOT NULL,
        figures             jsonb NOT NULL,
        log_position        text NOT NULL,
        log_position_number bigint NOT NULL,
        target_version      integer,
        population_version  integer,
        target_versions_max integer NOT NULL,
        population_versions_max integer NOT NULL,
        published_by        text NOT NULL,
        published_by_role   text NOT NULL,
        published_at        timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX indicator_publications_published_idx ON indicator_publications (published_at DESC, id DESC)`);
    await q.query(`CREATE INDEX indicator_publications_province_idx ON indicator_publications (jurisdiction_province, published_at DESC)`);
    await q.query(`GRANT SELECT, INSERT ON indicator_publications TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE indicator_publications`);
  }
}

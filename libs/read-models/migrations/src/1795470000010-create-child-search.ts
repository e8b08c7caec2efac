import { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '@childledger/database';

/**
 * The search read model (`rm_child_search`, projection `child-search`): one row per child whose
 * personal data is readable, with the name folded (no diacritics, lower case) and indexed by
 * trigrams (pg_trgm), so a name search is an index lookup, not a scan. The projection fills it
 * from the start of the log on its first run (its checkpoint is new). See docs/search.md.
 */
export class CreateChildSearch1795470000010 implements MigrationInterface {
  name = 'CreateChildSearch1795470000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE rm_child_search (
        child_id               text PRIMARY KEY,
        status                 text NOT NULL,
        sex                    text,
        full_name              text NOT NULL,
        -- ' ' + folded name: a word of the query matches the start of a word of the name.
        name_folded            text NOT NULL,
        date_of_birth          date,
        personal_id            text,
        residence_commune_code text,
        residence_effective_from date,
        commune_code           text,
        province_code          text,
        candidate_communes     text[] NOT NULL DEFAULT '{}',
        national_id_state      text NOT NULL,
        circumstances          smallint[] NOT NULL DEFAULT '{}',
        risks                  smallint[] NOT NULL DEFAULT '{}',
        revision               integer NOT NULL
      )`);
    await q.query(`CREATE INDEX rm_child_search_name_trgm_idx ON rm_child_search USING gin (name_folded gin_trgm_ops)`);
    await q.query(`CREATE INDEX rm_child_search_commune_idx ON rm_child_search (commune_code, name_folded, child_id)`);
    await q.query(`CREATE INDEX rm_child_search_province_idx ON rm_child_search (province_code, name_folded, child_id)`);
    await q.query(`CREATE INDEX rm_child_search_candidates_idx ON rm_child_search USING gin (candidate_communes)`);
    await q.query(`CREATE INDEX rm_child_search_birth_idx ON rm_child_search (date_of_birth)`);
    await q.query(`CREATE INDEX rm_child_search_personal_id_idx ON rm_child_search (personal_id) WHERE personal_id IS NOT NULL`);
    await q.query(`CREATE INDEX rm_child_search_circumstances_idx ON rm_child_search USING gin (circumstances)`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON rm_child_search TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rm_child_search`);
  }
}

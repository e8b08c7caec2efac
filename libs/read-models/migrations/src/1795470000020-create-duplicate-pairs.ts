import { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from '@childledger/database';

/**
 * The stored list of likely duplicates (the registry API's `reconciliation-duplicates` subscription
 * keeps it as records arrive, instead of re-matching a sample on every request):
 * - `rm_duplicate_people`: each active child as the matcher reads it, with its blocking keys
 *   (GIN-indexed), so the candidates of a new or corrected record are one index lookup in its province;
 * - `rm_duplicate_pairs`: candidate pairs (child_id < other_child_id) with the score, the decision
 *   and the per-field explanation (no personal data), and both sides' units for the jurisdiction filter;
 * - `rm_duplicate_dismissals`: pairs an officer decided are not the same child (from the
 *   ChildRecordsNotDuplicates events, so they survive a rebuild); such a pair never comes back;
 * - `rm_duplicate_merges`: merges in force (ChildRecordsMerged not reverted), for the revert list.
 */
export class CreateDuplicatePairs1795470000020 implements MigrationInterface {
  name = 'CreateDuplicatePairs1795470000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rm_duplicate_people (
        child_id      text PRIMARY KEY,
        province_code text,
        commune_code  text,
        resident      jsonb NOT NULL,
        record        jsonb NOT NULL,
        resident_keys text[] NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX rm_duplicate_people_keys_idx ON rm_duplicate_people USING gin (resident_keys)`);
    await q.query(`
      CREATE TABLE rm_duplicate_pairs (
        child_id            text NOT NULL,
        other_child_id      text NOT NULL,
        probability         double precision NOT NULL,
        decision            text NOT NULL,
        fields              jsonb NOT NULL,
        commune_code        text,
        province_code       text,
        other_commune_code  text,
        other_province_code text,
        found_at            timestamptz NOT NULL,
        PRIMARY KEY (child_id, other_child_id),
        CHECK (child_id < other_child_id)
      )`);
    await q.query(`CREATE INDEX rm_duplicate_pairs_other_idx ON rm_duplicate_pairs (other_child_id)`);
    await q.query(`CREATE INDEX rm_duplicate_pairs_commune_idx ON rm_duplicate_pairs (commune_code, probability DESC)`);
    await q.query(`CREATE INDEX rm_duplicate_pairs_province_idx ON rm_duplicate_pairs (province_code, probability DESC)`);
    await q.query(`
      CREATE TABLE rm_duplicate_dismissals (
        child_id       text NOT NULL,
        other_child_id text NOT NULL,
        event_id       uuid NOT NULL,
        decided_at     timestamptz NOT NULL,
        PRIMARY KEY (child_id, other_child_id),
        CHECK (child_id < other_child_id)
      )`);
    await q.query(`
      CREATE TABLE rm_duplicate_merges (
        child_id              text PRIMARY KEY,
        surviving_child_id    text NOT NULL,
        merged_at             timestamptz NOT NULL,
        event_id              uuid NOT NULL,
        commune_code          text,
        province_code         text,
        surviving_commune_code  text,
        surviving_province_code text
      )`);
    await q.query(`CREATE INDEX rm_duplicate_merges_commune_idx ON rm_duplicate_merges (commune_code, merged_at DESC)`);
    await q.query(`CREATE INDEX rm_duplicate_merges_province_idx ON rm_duplicate_merges (province_code, merged_at DESC)`);
    for (const t of ['rm_duplicate_people', 'rm_duplicate_pairs', 'rm_duplicate_dismissals', 'rm_duplicate_merges']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${APPLICATION_ROLE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rm_duplicate_merges, rm_duplicate_dismissals, rm_duplicate_pairs, rm_duplicate_people`);
  }
}

import { APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `indicators` projection's tables (libs/read-models/src/projections/indicators.projection.ts):
 * per child, what indicators need (no personal data); per case, its child; per unit and period,
 * the sum of the children's contribution deltas, so that an indicator is one indexed sum.
 *
 * The tables start empty whatever the other read models hold: the new projection has no
 * checkpoint, so the projector replays the whole log into it on its next start (that is the
 * backfill, tested on a database holding data in migrations.int-spec.ts); `npm run cli --
 * projections rebuild indicators` does the same into shadow tables while the old ones serve.
 */
export class AddIndicatorDeltas1795470000002 implements MigrationInterface {
  name = 'AddIndicatorDeltas1795470000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rm_indicator_children (
        child_id text PRIMARY KEY,
        -- JSON (IndicatorChildState), only ever read back whole by the projection: text is cheaper to write than jsonb.
        state    text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE rm_indicator_cases (
        case_id  text PRIMARY KEY,
        child_id text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE rm_indicator_deltas (
        granularity      text NOT NULL CHECK (granularity IN ('Y', 'Q', 'M')),
        units            text NOT NULL CHECK (units IN ('current', 'pre_2025')),
        province_code    text NOT NULL,
        commune_code     text NOT NULL,
        period_index     integer NOT NULL,
        children         integer NOT NULL,
        sc               integer NOT NULL,
        sc_supported     integer NOT NULL,
        ar               integer NOT NULL,
        ar_supported     integer NOT NULL,
        opened           integer NOT NULL,
        closed           integer NOT NULL,
        assessed         integer NOT NULL,
        assessed_on_time integer NOT NULL,
        nid              integer NOT NULL,
        PRIMARY KEY (granularity, units, province_code, commune_code, period_index)
      )`);
    for (const t of ['rm_indicator_children', 'rm_indicator_cases', 'rm_indicator_deltas']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${APPLICATION_ROLE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM subscription_checkpoints WHERE subscription_name = 'projection:indicators'`);
    for (const t of ['rm_indicator_deltas', 'rm_indicator_cases', 'rm_indicator_children']) await q.query(`DROP TABLE ${t}`);
  }
}

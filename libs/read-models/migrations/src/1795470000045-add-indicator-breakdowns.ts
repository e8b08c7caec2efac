import { APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

const KEY = `
        granularity      text NOT NULL CHECK (granularity IN ('Y', 'Q', 'M')),
        units            text NOT NULL CHECK (units IN ('current', 'pre_2025')),
        province_code    text NOT NULL,
        commune_code     text NOT NULL,
        sex              text NOT NULL CHECK (sex IN ('F', 'M', 'unknown')),
        age_band         text NOT NULL CHECK (age_band IN ('0-5', '6-10', '11-15', 'unknown')),
        period_index     integer NOT NULL`;

const CELL_FIELDS = [
  'children',
  'sc',
  'sc_supported',
  'ar',
  'ar_supported',
  'ar_removed',
  'abuse_new',
  'opened',
  'closed',
  'closed_resolved',
  'assessed',
  'assessed_on_time',
  'abuse_assessed',
  'abuse_assessed_on_time',
  'delivered',
  'delivered_on_time',
  'referrals',
  'registered',
  'registered_nid',
  'nid',
];

/**
 * The `indicators` projection, second version (docs/indicators.md): children count until the day
 * before their 16th birthday, and the deltas are kept per sex and age band (`rm_indicator_cells`,
 * replacing `rm_indicator_deltas`) and per special-circumstance group, receiving sector and days
 * from report to assessment (`rm_indicator_parts`). The per-child state changes shape (it keeps
 * sex, date of birth, group, outcome and the child's cases), so it is emptied with the old table
 * and the checkpoint deleted: the projector replays the whole log into the projection on its next
 * start, as for AddIndicatorDeltas; `npm run cli -- projections rebuild indicators` builds it into
 * shadow tables instead while the old ones serve.
 */
export class AddIndicatorBreakdowns1795470000045 implements MigrationInterface {
  name = 'AddIndicatorBreakdowns1795470000045';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rm_indicator_cells (${KEY},
        ${CELL_FIELDS.map((f) => `${f} integer NOT NULL`).join(',\n        ')},
        PRIMARY KEY (granularity, units, province_code, commune_code, sex, age_band, period_index)
      )`);
    await q.query(`
      CREATE TABLE rm_indicator_parts (${KEY},
        part             text NOT NULL,
        n                integer NOT NULL,
        PRIMARY KEY (granularity, units, province_code, commune_code, sex, age_band, period_index, part)
      )`);
    for (const t of ['rm_indicator_cells', 'rm_indicator_parts']) await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${APPLICATION_ROLE}`);
    await q.query(`DROP TABLE IF EXISTS rm_indicator_deltas`);
    await this.replay(q);
  }

  /** Empties the per-child state (its shape changed) and removes the checkpoint: the projector replays the log. */
  private async replay(q: QueryRunner): Promise<void> {
    for (const t of ['rm_indicator_children', 'rm_indicator_cases']) {
      if ((await q.query(`SELECT to_regclass($1) AS t`, [t]))[0].t) await q.query(`TRUNCATE ${t}`);
    }
    await q.query(`DELETE FROM subscription_checkpoints WHERE subscription_name = 'projection:indicators'`);
  }

  async down(q: QueryRunner): Promise<void> {
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
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON rm_indicator_deltas TO ${APPLICATION_ROLE}`);
    await q.query(`DROP TABLE rm_indicator_parts`);
    await q.query(`DROP TABLE rm_indicator_cells`);
    await this.replay(q);
  }
}

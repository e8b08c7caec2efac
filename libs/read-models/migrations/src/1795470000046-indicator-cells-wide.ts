import { APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

const GROUPS = Array.from({ length: 14 }, (_x, i) => i + 1);
/** The breakdown columns of rm_indicator_cells (PART_COLUMNS in indicators.projection.ts, in that order). */
const COLUMNS = [
  ...GROUPS.flatMap((g) => ['sc', 'ar'].map((k) => `${k}_g${g}`)),
  ...[9, 10, 11, 12].map((g) => `new_g${g}`),
  ...['health', 'education', 'justice', 'public_security', 'social_affairs', 'other'].map((s) => `ref_${s}`),
  ...Array.from({ length: 16 }, (_x, d) => (d > 14 ? `days_${d}p` : `days_${d}`)),
];

/**
 * The breakdowns by special-circumstance group (children in it, at risk of it, newly identified
 * for the abuse groups 9–12), receiving sector and days from report to assessment (0–14, 15 or
 * more) move from rows of `rm_indicator_parts` (one row per part, unit, sex, band and period: four
 * to five times the rows of rm_indicator_cells, and most of the projection's write time) into
 * columns of `rm_indicator_cells`. The projection's tables are emptied and its checkpoint deleted:
 * the projector replays the log into it on its next start (docs/indicators.md, "Adding the
 * projection to a running system").
 */
export class IndicatorCellsWide1795470000046 implements MigrationInterface {
  name = 'IndicatorCellsWide1795470000046';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rm_indicator_parts`);
    await this.empty(q);
    await q.query(`ALTER TABLE rm_indicator_cells ${COLUMNS.map((c) => `ADD COLUMN ${c} integer NOT NULL DEFAULT 0`).join(', ')}`);
  }

  private async empty(q: QueryRunner): Promise<void> {
    await q.query(`TRUNCATE rm_indicator_cells`);
    for (const t of ['rm_indicator_children', 'rm_indicator_cases']) {
      if ((await q.query(`SELECT to_regclass($1) AS t`, [t]))[0].t) await q.query(`TRUNCATE ${t}`);
    }
    await q.query(`DELETE FROM subscription_checkpoints WHERE subscription_name = 'projection:indicators'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await this.empty(q);
    await q.query(`ALTER TABLE rm_indicator_cells ${COLUMNS.map((c) => `DROP COLUMN ${c}`).join(', ')}`);
    await q.query(`
      CREATE TABLE rm_indicator_parts (
        granularity      text NOT NULL CHECK (granularity IN ('Y', 'Q', 'M')),
        units            text NOT NULL CHECK (units IN ('current', 'pre_2025')),
        province_code    text NOT NULL,
        commune_code     text NOT NULL,
        sex              text NOT NULL CHECK (sex IN ('F', 'M', 'unknown')),
        age_band         text NOT NULL CHECK (age_band IN ('0-5', '6-10', '11-15', 'unknown')),
        period_index     integer NOT NULL,
        part             text NOT NULL,
        n                integer NOT NULL,
        PRIMARY KEY (granularity, units, province_code, commune_code, sex, age_band, period_index, part)
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON rm_indicator_parts TO ${APPLICATION_ROLE}`);
  }
}

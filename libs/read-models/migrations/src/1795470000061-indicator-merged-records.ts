import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A surviving child counts the facts of the duplicates merged into it (issue 11): the indicators
 * projection finds them by `rm_indicator_children.merged_into`. The projection's tables are emptied
 * and its checkpoint deleted: the projector replays the log into it on its next start, so figures of
 * children merged before this migration are counted the new way too (docs/indicators.md).
 */
export class IndicatorMergedRecords1795470000061 implements MigrationInterface {
  name = 'IndicatorMergedRecords1795470000061';

  async up(q: QueryRunner): Promise<void> {
    await this.empty(q);
    await q.query(`ALTER TABLE rm_indicator_children ADD COLUMN merged_into text`);
    await q.query(`CREATE INDEX rm_indicator_children_merged_into_idx ON rm_indicator_children (merged_into) WHERE merged_into IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await this.empty(q);
    await q.query(`DROP INDEX rm_indicator_children_merged_into_idx`);
    await q.query(`ALTER TABLE rm_indicator_children DROP COLUMN merged_into`);
  }

  private async empty(q: QueryRunner): Promise<void> {
    for (const t of ['rm_indicator_cells', 'rm_indicator_children', 'rm_indicator_cases']) {
      if ((await q.query(`SELECT to_regclass($1) AS t`, [t]))[0].t) await q.query(`TRUNCATE ${t}`);
    }
    await q.query(`DELETE FROM subscription_checkpoints WHERE subscription_name = 'projection:indicators'`);
  }
}

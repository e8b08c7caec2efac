import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The duplicates merged into a child, found from the survivor (`merged_into`): the record, its
 * cases and the search carry a merged duplicate's facts to the surviving child (issue 11). Few rows
 * are merged, so the index holds only those.
 */
export class IndexMergedChildren1795470000060 implements MigrationInterface {
  name = 'IndexMergedChildren1795470000060';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX rm_children_merged_into_idx ON rm_children (merged_into) WHERE merged_into IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rm_children_merged_into_idx`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cases get `next_due_at`, the deadline of the step the case waits for, so "overdue cases" is an
 * index range instead of a scan. Existing rows are filled in from the columns they already hold,
 * with the same rule the projection applies (`nextDueAt` in cases.projection.ts), so a table
 * migrated in place equals a rebuild.
 */
export class AddCaseNextDue1795470000001 implements MigrationInterface {
  name = 'AddCaseNextDue1795470000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_cases ADD COLUMN next_due_at timestamptz`);
    await q.query(`
      UPDATE rm_cases SET next_due_at = CASE status
        WHEN 'report_received' THEN assessment_due_at
        WHEN 'assessed' THEN plan_due_at
        WHEN 'planned' THEN review_due_at
        WHEN 'implementing' THEN review_due_at
        ELSE NULL END`);
    await q.query(`CREATE INDEX rm_cases_next_due_idx ON rm_cases (next_due_at) WHERE next_due_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rm_cases_next_due_idx`);
    await q.query(`ALTER TABLE rm_cases DROP COLUMN next_due_at`);
  }
}

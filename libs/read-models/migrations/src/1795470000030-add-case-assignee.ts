import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cases get their holder (`assignee_id`, `assigned_at`, from CaseAssigned) so that a case worker's
 * worklist ("mine", "without an owner") is an index range, ordered by the deadline of the step the
 * case waits for. No event before this migration assigned a case, so existing rows stay unassigned
 * (the same as a rebuild).
 */
export class AddCaseAssignee1795470000030 implements MigrationInterface {
  name = 'AddCaseAssignee1795470000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rm_cases ADD COLUMN assignee_id text, ADD COLUMN assigned_at timestamptz`);
    await q.query(`CREATE INDEX rm_cases_worklist_idx ON rm_cases (assignee_id, next_due_at, case_id) WHERE status <> 'closed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rm_cases_worklist_idx`);
    await q.query(`ALTER TABLE rm_cases DROP COLUMN assigned_at, DROP COLUMN assignee_id`);
  }
}

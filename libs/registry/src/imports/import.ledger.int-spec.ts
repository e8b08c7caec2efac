import type { Pool } from 'pg';
import { createPool, createTestDatabase, TestDatabase } from '@childledger/database';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { ImportLedger, ImportProblem } from './import.ledger';

/** The import ledger on a real PostgreSQL: a report with more problems than one statement can carry. */
describe('ImportLedger', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase(ALL_MIGRATIONS);
    pool = createPool(db.url, { max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('records 12,000 problems at once (a file whose rows are all rejected reports them at its end), in row order', async () => {
    const ledger = new ImportLedger(pool);
    const id = '00000000-0000-4000-8000-000000000001';
    await ledger.create({ id, sha256: 'x'.repeat(64), fileBytes: 1, format: 'csv', userId: 'u', role: 'data_officer' });
    const problems: ImportProblem[] = Array.from({ length: 12_000 }, (_, i) => ({
      kind: 'rejected',
      row: i + 2,
      column: 'full_name',
      code: 'NAME_REQUIRED',
      reason: 'a name is required',
    }));
    const counts = { bytesRead: 1, rowsRead: 12_000, imported: 0, alreadyImported: 0, rejected: 12_000, warnings: 0 };
    await ledger.finish(id, counts, problems);
    const report = await ledger.get(id, { problemLimit: 20_000 });
    expect(report).toMatchObject({ status: 'completed', rows: { read: 12_000, rejected: 12_000 } });
    expect(report?.problems).toHaveLength(12_000);
    expect(report?.problems.at(-1)).toMatchObject({ row: 12_001, code: 'NAME_REQUIRED' });
  });
});

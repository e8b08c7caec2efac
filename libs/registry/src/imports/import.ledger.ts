import type { Pool } from 'pg';
import { withTransaction } from '@childledger/database';
import { ruleTextVi } from './import-rules';
import type { ImportFormat } from './row-source';

export type ImportStatus = 'running' | 'completed' | 'failed' | 'interrupted';

export interface ImportProblem {
  kind: 'rejected' | 'warning';
  /** Row number as a spreadsheet shows it (the header is usually row 1). */
  row: number;
  recordRef?: string;
  /** The format's column name, and the header as the file spells it. */
  column: string | null;
  header?: string;
  code: string;
  reason: string;
}

export interface ImportCounts {
  bytesRead: number;
  rowsRead: number;
  imported: number;
  alreadyImported: number;
  rejected: number;
  warnings: number;
}

/** The report of an import, while it runs and after. */
export interface ImportReport {
  id: string;
  status: ImportStatus;
  fileName: string | null;
  format: ImportFormat;
  sha256: string;
  fileBytes: number;
  startedBy: { userId: string; role: string };
  startedAt: string;
  finishedAt: string | null;
  /** 0–100, by bytes read. */
  percent: number;
  rows: { read: number; imported: number; alreadyImported: number; rejected: number };
  warnings: number;
  error: string | null;
  /** Each with the rule in Vietnamese too (`reasonVi`), for the officer's screen. */
  problems: (ImportProblem & { reasonVi: string })[];
  /** True when there are more problems than `problems` lists. */
  problemsTruncated: boolean;
}

export interface NewImport {
  id: string;
  fileName?: string;
  sha256: string;
  fileBytes: number;
  format: ImportFormat;
  userId: string;
  role: string;
  correlationId?: string;
}

interface ImportRow {
  import_id: string;
  file_name: string | null;
  file_sha256: string;
  file_bytes: string;
  format: ImportFormat;
  status: 'running' | 'completed' | 'failed';
  user_id: string;
  user_role: string;
  bytes_read: string;
  rows_read: number;
  rows_imported: number;
  rows_already_imported: number;
  rows_rejected: number;
  warnings: number;
  error: string | null;
  started_at: Date;
  heartbeat_at: Date;
  finished_at: Date | null;
  stale: boolean;
}

/** Problems per INSERT (9 parameters each, under PostgreSQL's 65,535). */
const PROBLEMS_PER_STATEMENT = 5000;

/** A running import that has not reported for this long died with its process. */
const STALE_AFTER_SECONDS = 120;

/** The `imports` and `import_problems` tables: progress, counts and problems of each import. */
export class ImportLedger {
  private readonly seq = new Map<string, number>();

  constructor(private readonly pool: Pool) {}

  async create(i: NewImport): Promise<void> {
    await this.pool.query(
      `INSERT INTO imports (import_id, file_name, file_sha256, file_bytes, format, status, user_id, user_role, correlation_id)
       VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $8)`,
      [i.id, i.fileName ?? null, i.sha256, i.fileBytes, i.format, i.userId, i.role, i.correlationId ?? null],
    );
    this.seq.set(i.id, 0);
  }

  /** Records progress and the problems found since the last call, in one transaction. */
  async progress(importId: string, counts: ImportCounts, problems: readonly ImportProblem[]): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await this.write(client, importId, problems);
      await client.query(
        `UPDATE imports SET bytes_read = $2, rows_read = $3, rows_imported = $4, rows_already_imported = $5, rows_rejected = $6,
           warnings = $7, heartbeat_at = now() WHERE import_id = $1`,
        [importId, counts.bytesRead, counts.rowsRead, counts.imported, counts.alreadyImported, counts.rejected, counts.warnings],
      );
    });
  }

  async finish(importId: string, counts: ImportCounts, problems: readonly ImportProblem[], error?: string): Promise<void> {
    await this.progress(importId, counts, problems);
    await this.pool.query(`UPDATE imports SET status = $2, error = $3, finished_at = now(), heartbeat_at = now() WHERE import_id = $1`, [
      importId,
      error === undefined ? 'completed' : 'failed',
      error ?? null,
    ]);
    this.seq.delete(importId);
  }

  private async write(client: { query: Pool['query'] }, importId: string, problems: readonly ImportProblem[]): Promise<void> {
    let seq = this.seq.get(importId) ?? 0;
    // A statement takes at most 65,535 parameters (9 per problem): a file of rejected rows only reports them all at its end.
    for (let start = 0; start < problems.length; start += PROBLEMS_PER_STATEMENT) {
      const params: unknown[] = [];
      const values = problems.slice(start, start + PROBLEMS_PER_STATEMENT).map((p) => {
        seq += 1;
        const b = params.length;
        params.push(importId, seq, p.kind, p.row, p.recordRef ?? null, p.column, p.header ?? null, p.code, p.reason);
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9})`;
      });
      await client.query(
        `INSERT INTO import_problems (import_id, seq, kind, row_number, record_ref, column_name, header, code, reason) VALUES ${values.join(', ')}`,
        params,
      );
    }
    this.seq.set(importId, seq);
  }

  /** Every rejected row's problems (row, column, code), in row order: for the rejected-rows file. */
  async rejectedProblems(importId: string): Promise<{ row: number; column: string | null; code: string }[]> {
    const { rows } = await this.pool.query<{ row_number: number; column_name: string | null; code: string }>(
      `SELECT row_number, column_name, code FROM import_problems WHERE import_id = $1 AND kind = 'rejected' ORDER BY row_number, seq`,
      [importId],
    );
    return rows.map((r) => ({ row: r.row_number, column: r.column_name, code: r.code }));
  }

  async get(importId: string, options: { problemLimit?: number } = {}): Promise<ImportReport | undefined> {
    const { rows } = await this.pool.query<ImportRow>(
      `SELECT *, (status = 'running' AND heartbeat_at < now() - make_interval(secs => $2)) AS stale FROM imports WHERE import_id = $1`,
      [importId, STALE_AFTER_SECONDS],
    );
    const row = rows[0];
    if (!row) return undefined;
    const limit = options.problemLimit ?? 10_000;
    const problems = await this.pool.query<{
      kind: 'rejected' | 'warning';
      row_number: number;
      record_ref: string | null;
      column_name: string | null;
      header: string | null;
      code: string;
      reason: string;
    }>(`SELECT kind, row_number, record_ref, column_name, header, code, reason FROM import_problems WHERE import_id = $1 ORDER BY row_number, seq LIMIT $2`, [
      importId,
      limit + 1,
    ]);
    const fileBytes = Number(row.file_bytes);
    return {
      id: row.import_id,
      status: row.stale ? 'interrupted' : row.status,
      fileName: row.file_name,
      format: row.format,
      sha256: row.file_sha256,
      fileBytes,
      startedBy: { userId: row.user_id, role: row.user_role },
      startedAt: row.started_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
      percent: row.status === 'completed' ? 100 : fileBytes === 0 ? 0 : Math.min(100, Math.floor((Number(row.bytes_read) / fileBytes) * 100)),
      rows: { read: row.rows_read, imported: row.rows_imported, alreadyImported: row.rows_already_imported, rejected: row.rows_rejected },
      warnings: row.warnings,
      error: row.error,
      problems: problems.rows.slice(0, limit).map((p) => ({
        kind: p.kind,
        row: p.row_number,
        ...(p.record_ref === null ? {} : { recordRef: p.record_ref }),
        column: p.column_name,
        ...(p.header === null ? {} : { header: p.header }),
        code: p.code,
        reason: p.reason,
        reasonVi: ruleTextVi(p.code),
      })),
      problemsTruncated: problems.rows.length > limit,
    };
  }
}

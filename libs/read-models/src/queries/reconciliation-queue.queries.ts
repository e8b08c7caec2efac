import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Jurisdiction, jurisdictionSql, Params, sqlInstant } from './sql';
import { READ_MODEL_POOL } from './tokens';

export interface QueueQuery {
  /** One kind of work only (e.g. `incomplete`: records to finish). */
  reason?: string;
  /** A province (2 digits) or a commune (5 digits) in force today. */
  unit: string;
  /** Keyset: the last row's sort key (requested_at as `sqlInstant` wrote it, child id, reason). */
  after?: { requestedAt: string; childId: string; reason: string };
  limit: number;
}

export interface QueueEntryRow {
  child_id: string;
  reason: string;
  source: string | null;
  detail: string | null;
  candidate_count: number | null;
  requested_at: Date;
  /** requested_at in UTC with microseconds: the cursor's key. */
  requested_key: string;
  commune_code: string | null;
}

/** The reconciliation queue read model (rm_reconciliation_queue): children waiting for a data officer's decision. */
@Injectable()
export class ReconciliationQueueQueries {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async entriesOfUnit(user: Jurisdiction, q: QueueQuery): Promise<QueueEntryRow[]> {
    const p = new Params();
    const where = [`${q.unit.length === 2 ? 'province_code' : 'commune_code'} = ${p.add(q.unit)}`];
    const visible = jurisdictionSql(user, { province: 'province_code', commune: 'commune_code' }, p.add);
    if (visible) where.push(visible);
    if (q.reason) where.push(`reason = ${p.add(q.reason)}`);
    if (q.after)
      where.push(`(requested_at, child_id, reason) > (${p.add(q.after.requestedAt)}::timestamptz, ${p.add(q.after.childId)}, ${p.add(q.after.reason)})`);
    const res = await this.pool.query<QueueEntryRow>(
      `SELECT child_id, reason, source, detail, candidate_count, requested_at, ${sqlInstant('requested_at')} AS requested_key, commune_code
         FROM rm_reconciliation_queue WHERE ${where.join(' AND ')} ORDER BY requested_at, child_id, reason LIMIT ${p.add(q.limit)}`,
      p.values,
    );
    return res.rows;
  }
}

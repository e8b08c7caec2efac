import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Jurisdiction, jurisdictionSql, Params } from './sql';
import { READ_MODEL_POOL } from './tokens';

/** Filters of the audit trail, already checked by the caller. */
export interface AuditTrailFilters {
  childId?: string;
  actorId?: string;
  eventType?: string;
  /** The actor's unit or a commune or province the child lived in during the period (2 or 5 digits). */
  unit?: string;
  /** Vietnam days, inclusive (YYYY-MM-DD): the period inspected. */
  from?: string;
  to?: string;
  /** Keyset: the last row's recorded_at (as PostgreSQL printed it) and position. */
  after?: { recordedAt: string; position: string };
}

/** One row of the audit index, as the trail shows it. */
export interface AuditTrailRow {
  position: string;
  /** recorded_at as PostgreSQL prints it, with microseconds: the cursor's key. */
  recorded_at_text: string;
  recorded_at: Date;
  event_id: string;
  event_type: string;
  stream_id: string;
  revision: string;
  child_id: string | null;
  case_id: string | null;
  actor_user_id: string | null;
  actor_role: string | null;
  actor_unit: string | null;
  reason: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  personal_data_erased: boolean;
  summary: Record<string, unknown> | null;
}

/** Rows fetched from the export cursor at a time: what one export holds in memory. */
export const EXPORT_BATCH_ROWS = 1000;

/** The Vietnam day `param` as the first instant of that day, and the first instant of the day after. */
export const dayStart = (param: string) => `(${param}::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`;
export const dayAfter = (param: string) => `((${param}::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`;

/**
 * Whether the child in `childColumn` lived in the user's jurisdiction on some day of the period
 * inspected ([from, to], Vietnam days; open ends when not given): its residence spells (the
 * children projection's `rm_child_spells`, effective dates, units in force today) are searched,
 * not only where it lives now. A child who moved out stays visible to the inspectors of the units
 * it lived in, for the periods it lived there. Null for an admin (no condition).
 */
export function everInJurisdictionSql(user: Jurisdiction, childColumn: string, period: { from?: string; to?: string }, p: Params): string | null {
  const where = jurisdictionSql(user, { province: 's.province_code', commune: 's.commune_code' }, p.add);
  if (where === null) return null;
  return `EXISTS (SELECT 1 FROM rm_child_spells s WHERE s.child_id = ${childColumn} AND s.kind = 'residence' AND ${where}${overlapSql(period, p)})`;
}

/** The residence spell `s` overlaps the period (its effective dates are inclusive). */
function overlapSql(period: { from?: string; to?: string }, p: Params): string {
  let sql = '';
  if (period.to) sql += ` AND s.effective_from <= ${p.add(period.to)}::date`;
  if (period.from) sql += ` AND (s.effective_to IS NULL OR s.effective_to >= ${p.add(period.from)}::date)`;
  return sql;
}

/**
 * The audit index (rm_audit_index): every event with who, what, when, why, for children that lived
 * in the user's jurisdiction during the period asked about (an admin: all). Paged by keyset, or
 * streamed from a cursor for an export.
 */
@Injectable()
export class AuditTrailQueries {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  private statement(user: Jurisdiction, f: AuditTrailFilters, limit?: number): { sql: string; values: unknown[] } {
    const p = new Params();
    const where: string[] = [];
    const period = { from: f.from, to: f.to };
    if (f.childId) where.push(`a.child_id = ${p.add(f.childId)}`);
    if (f.actorId) where.push(`a.actor_user_id = ${p.add(f.actorId)}`);
    if (f.eventType) where.push(`a.event_type = ${p.add(f.eventType)}`);
    if (f.unit) {
      const u = p.add(f.unit);
      where.push(
        `(a.actor_unit = ${u} OR EXISTS (SELECT 1 FROM rm_child_spells s WHERE s.child_id = a.child_id AND s.kind = 'residence' AND (s.commune_code = ${u} OR s.province_code = ${u})${overlapSql(period, p)}))`,
      );
    }
    if (f.from) where.push(`a.recorded_at >= ${dayStart(p.add(f.from))}`);
    if (f.to) where.push(`a.recorded_at < ${dayAfter(p.add(f.to))}`);
    if (f.after) where.push(`(a.recorded_at, a.position) > (${p.add(f.after.recordedAt)}::timestamptz, ${p.add(f.after.position)}::bigint)`);
    const visible = everInJurisdictionSql(user, 'a.child_id', period, p);
    if (visible) where.push(`a.child_id IS NOT NULL AND ${visible}`);
    const sql = `SELECT a.position::text AS position, a.recorded_at::text AS recorded_at_text, a.recorded_at, a.event_id, a.event_type, a.stream_id, a.revision,
                        a.child_id, a.case_id, a.actor_user_id, a.actor_role, a.actor_unit, a.reason, a.correlation_id, a.causation_id, a.personal_data_erased, a.summary
                   FROM rm_audit_index a
                  ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                  ORDER BY a.recorded_at, a.position${limit === undefined ? '' : ` LIMIT ${p.add(limit)}`}`;
    return { sql, values: p.values };
  }

  async events(user: Jurisdiction, f: AuditTrailFilters, limit: number): Promise<AuditTrailRow[]> {
    const { sql, values } = this.statement(user, f, limit);
    return (await this.pool.query<AuditTrailRow>(sql, values)).rows;
  }

  /** One event of the trail if the user may see it (the same rule as the trail), else undefined. */
  async event(user: Jurisdiction, eventId: string): Promise<AuditTrailRow | undefined> {
    const p = new Params();
    const visible = everInJurisdictionSql(user, 'a.child_id', {}, p);
    const id = p.add(eventId);
    const { rows } = await this.pool.query<AuditTrailRow>(
      `SELECT a.position::text AS position, a.event_id, a.event_type, a.child_id, a.recorded_at
         FROM rm_audit_index a WHERE a.event_id = ${id}::uuid${visible ? ` AND a.child_id IS NOT NULL AND ${visible}` : ''}`,
      p.values,
    );
    return rows[0];
  }

  /**
   * Every row of the trail matching `f`, in order, read from one cursor in one read-only
   * transaction (a consistent snapshot), `batch` rows at a time: an export of any size holds one
   * batch in memory. Stopping the iteration (the client went away) closes the cursor.
   */
  async *stream(user: Jurisdiction, f: AuditTrailFilters, batch = EXPORT_BATCH_ROWS): AsyncGenerator<AuditTrailRow[]> {
    const { sql, values } = this.statement(user, f);
    yield* streamCursor<AuditTrailRow>(this.pool, sql, values, batch);
  }
}

/** The rows of `sql` from a server-side cursor in a REPEATABLE READ READ ONLY transaction, `batch` at a time. */
export async function* streamCursor<T extends object>(pool: Pool, sql: string, values: unknown[], batch: number): AsyncGenerator<T[]> {
  const client = await pool.connect();
  let failed: unknown;
  // While the client waits for the downloader, its connection may drop (a restart, a terminated
  // backend): pg then emits 'error' on the checked-out client, which would crash the process
  // without a listener. Kept here; the next FETCH fails with it and the export is aborted.
  const dropped = (err: Error) => {
    failed = err;
  };
  client.on('error', dropped);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE export_cursor NO SCROLL CURSOR FOR ${sql}`, values);
    for (;;) {
      const { rows } = await client.query<T>(`FETCH FORWARD ${Math.max(1, Math.floor(batch))} FROM export_cursor`);
      if (rows.length === 0) break;
      yield rows;
      if (rows.length < batch) break;
    }
  } catch (err) {
    failed = err;
    throw err;
  } finally {
    // Also reached when the consumer stops early (return()): the transaction and cursor end here.
    if (!failed) await client.query('ROLLBACK').catch((err: unknown) => (failed = err));
    client.off('error', dropped);
    client.release(failed instanceof Error ? failed : failed ? new Error('export cursor failed') : undefined);
  }
}

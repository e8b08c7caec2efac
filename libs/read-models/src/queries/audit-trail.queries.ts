import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { Jurisdiction, Params } from './sql';
import { READ_MODEL_POOL } from './tokens';

/** Filters of the audit trail, already checked by the caller. */
export interface AuditTrailFilters {
  childId?: string;
  actorId?: string;
  eventType?: string;
  /** The actor's unit or the child's commune or province (2 or 5 digits). */
  unit?: string;
  /** Vietnam days, inclusive (YYYY-MM-DD). */
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

/** The audit index (rm_audit_index): every event with who, what, when, why, for children living in the user's jurisdiction today. */
@Injectable()
export class AuditTrailQueries {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async events(user: Jurisdiction, f: AuditTrailFilters, limit: number): Promise<AuditTrailRow[]> {
    const p = new Params();
    const where: string[] = [];
    if (f.childId) where.push(`a.child_id = ${p.add(f.childId)}`);
    if (f.actorId) where.push(`a.actor_user_id = ${p.add(f.actorId)}`);
    if (f.eventType) where.push(`a.event_type = ${p.add(f.eventType)}`);
    if (f.unit) {
      const u = p.add(f.unit);
      where.push(`(a.actor_unit = ${u} OR ch.commune_code = ${u} OR ch.province_code = ${u})`);
    }
    if (f.from) where.push(`a.recorded_at >= (${p.add(f.from)}::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`);
    if (f.to) where.push(`a.recorded_at < ((${p.add(f.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`);
    if (f.after) where.push(`(a.recorded_at, a.position) > (${p.add(f.after.recordedAt)}::timestamptz, ${p.add(f.after.position)}::bigint)`);
    if (user.role !== 'admin') {
      where.push(user.communes.length ? `ch.commune_code = ANY(${p.add(user.communes)})` : `ch.province_code = ANY(${p.add(user.provinces)})`);
    }
    const sql = `SELECT a.position::text AS position, a.recorded_at::text AS recorded_at_text, a.recorded_at, a.event_id, a.event_type, a.stream_id, a.revision,
                        a.child_id, a.case_id, a.actor_user_id, a.actor_role, a.actor_unit, a.reason, a.correlation_id, a.causation_id, a.personal_data_erased, a.summary
                   FROM rm_audit_index a LEFT JOIN rm_children ch ON ch.child_id = a.child_id
                  ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                  ORDER BY a.recorded_at, a.position LIMIT ${p.add(limit)}`;
    return (await this.pool.query<AuditTrailRow>(sql, p.values)).rows;
  }
}

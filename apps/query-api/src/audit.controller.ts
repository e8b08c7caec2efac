import { BadRequestException, Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import type { Pool } from 'pg';
import { AuthenticatedUser, CurrentUser, PG_POOL, Roles } from '@childledger/platform';
import { INSPECTION_ROLES, optionalDate } from './access';
import { decodeCursor, isInstantText, page, pageLimit } from './keyset';

interface AuditFilters {
  childId?: string;
  actorId?: string;
  unit?: string;
  eventType?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: string;
}

const MAX_EXPORT = 100_000;

/**
 * Audit trails for inspectors: every event with who, what, when, why and its correlation id,
 * by child, actor, unit, event type and time range; keyset pagination; CSV export. Entries are
 * visible for children living in the inspector's jurisdiction today (an admin sees all).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  private query(user: AuthenticatedUser, f: AuditFilters, limit: number) {
    const params: unknown[] = [];
    const where: string[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.childId) where.push(`a.child_id = ${p(f.childId)}`);
    if (f.actorId) where.push(`a.actor_user_id = ${p(f.actorId)}`);
    if (f.eventType) where.push(`a.event_type = ${p(f.eventType)}`);
    if (f.unit) {
      if (!/^(\d{2}|\d{5})$/.test(f.unit)) throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
      const u = p(f.unit);
      where.push(`(a.actor_unit = ${u} OR ch.commune_code = ${u} OR ch.province_code = ${u})`);
    }
    const from = optionalDate(f.from, 'from');
    const to = optionalDate(f.to, 'to');
    if (from) where.push(`a.recorded_at >= (${p(from)}::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`);
    if (to) where.push(`a.recorded_at < ((${p(to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`);
    if (f.cursor) {
      const [at, pos] = decodeCursor(f.cursor, 'cursor', [isInstantText, /^\d{1,18}$/]);
      where.push(`(a.recorded_at, a.position) > (${p(at)}::timestamptz, ${p(pos)}::bigint)`);
    }
    if (user.role !== 'admin') {
      where.push(user.communes.length ? `ch.commune_code = ANY(${p(user.communes)})` : `ch.province_code = ANY(${p(user.provinces)})`);
    }
    const sql = `SELECT a.position::text AS position, a.recorded_at::text AS recorded_at_text, a.recorded_at, a.event_id, a.event_type, a.stream_id, a.revision,
                        a.child_id, a.case_id, a.actor_user_id, a.actor_role, a.actor_unit, a.reason, a.correlation_id, a.causation_id, a.personal_data_erased, a.summary
                   FROM rm_audit_index a LEFT JOIN rm_children ch ON ch.child_id = a.child_id
                  ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                  ORDER BY a.recorded_at, a.position LIMIT ${p(limit)}`;
    return this.pool.query(sql, params);
  }

  @Get('events')
  @Roles(...INSPECTION_ROLES)
  @ApiQuery({ name: 'childId', required: false })
  @ApiQuery({ name: 'actorId', required: false })
  @ApiQuery({ name: 'unit', required: false, description: "the actor's unit or the child's commune/province" })
  @ApiQuery({ name: 'eventType', required: false })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async events(@CurrentUser() user: AuthenticatedUser, @Query() f: AuditFilters) {
    const limit = pageLimit(f.limit);
    const res = await this.query(user, f, limit + 1);
    const { rows, next } = page(res.rows, limit, (r) => [r.recorded_at_text, r.position]);
    return {
      items: rows.map((r) => ({
        position: Number(r.position),
        recordedAt: r.recorded_at,
        eventId: r.event_id,
        eventType: r.event_type,
        streamId: r.stream_id,
        revision: Number(r.revision),
        childId: r.child_id,
        caseId: r.case_id,
        actor: { userId: r.actor_user_id, role: r.actor_role, unit: r.actor_unit },
        reason: r.reason,
        correlationId: r.correlation_id,
        causationId: r.causation_id,
        personalDataErased: r.personal_data_erased,
        summary: r.summary,
      })),
      nextCursor: next,
    };
  }

  @Get('events.csv')
  @Roles(...INSPECTION_ROLES)
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="audit-trail.csv"')
  async csv(@CurrentUser() user: AuthenticatedUser, @Query() f: AuditFilters): Promise<string> {
    const res = await this.query(user, { ...f, cursor: f.cursor, limit: undefined }, MAX_EXPORT);
    return stringify(
      res.rows.map((r) => [r.recorded_at.toISOString(), r.event_type, r.stream_id, r.revision, r.child_id, r.case_id, r.actor_user_id, r.actor_role, r.actor_unit, r.reason, r.correlation_id, r.event_id]),
      { header: true, columns: ['recorded_at', 'event_type', 'stream_id', 'revision', 'child_id', 'case_id', 'actor_user_id', 'actor_role', 'actor_unit', 'reason', 'correlation_id', 'event_id'] },
    );
  }
}

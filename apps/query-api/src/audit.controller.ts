import { applyDecorators, BadRequestException, Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@childledger/platform';
import { AuditTrailFilters, AuditTrailQueries, AuditTrailRow } from '@childledger/read-models';
import { INSPECTION_ROLES, optionalDate } from './access';
import { safeCsv } from './csv';
import { decodeCursor, isInstantText, page, pageLimit } from './keyset';

/** The filters of the audit trail, as the OpenAPI document declares them (the JSON and the CSV routes take the same). */
const AuditFilterQueries = () =>
  applyDecorators(
    ApiQuery({ name: 'childId', required: false }),
    ApiQuery({ name: 'actorId', required: false }),
    ApiQuery({ name: 'unit', required: false, description: "the actor's unit or the child's commune/province" }),
    ApiQuery({ name: 'eventType', required: false }),
    ApiQuery({ name: 'from', required: false }),
    ApiQuery({ name: 'to', required: false }),
  );

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

const CSV_COLUMNS = [
  'recorded_at',
  'event_type',
  'stream_id',
  'revision',
  'child_id',
  'case_id',
  'actor_user_id',
  'actor_role',
  'actor_unit',
  'reason',
  'correlation_id',
  'event_id',
] as const;

/** The query string's filters, checked: a bad one is a 400 naming its field. */
function checked(f: AuditFilters): AuditTrailFilters {
  if (f.unit && !/^(\d{2}|\d{5})$/.test(f.unit))
    throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
  const from = optionalDate(f.from, 'from');
  const to = optionalDate(f.to, 'to');
  let after: AuditTrailFilters['after'];
  if (f.cursor) {
    const [recordedAt, position] = decodeCursor(f.cursor, 'cursor', [isInstantText, /^\d{1,18}$/]) as [string, string];
    after = { recordedAt, position };
  }
  return { childId: f.childId || undefined, actorId: f.actorId || undefined, eventType: f.eventType || undefined, unit: f.unit || undefined, from, to, after };
}

/**
 * Audit trails for inspectors: every event with who, what, when, why and its correlation id,
 * by child, actor, unit, event type and time range; keyset pagination; CSV export. Entries are
 * visible for children living in the inspector's jurisdiction today (an admin sees all).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly trail: AuditTrailQueries) {}

  @Get('events')
  @Roles(...INSPECTION_ROLES)
  @AuditFilterQueries()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async events(@CurrentUser() user: AuthenticatedUser, @Query() f: AuditFilters) {
    const limit = pageLimit(f.limit);
    const found = await this.trail.events(user, checked(f), limit + 1);
    const { rows, next } = page(found, limit, (r: AuditTrailRow) => [r.recorded_at_text, r.position]);
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

  /** The same rows as CSV; a cell that a spreadsheet would run as a formula is neutralised (csv.ts). */
  @Get('events.csv')
  @Roles(...INSPECTION_ROLES)
  @AuditFilterQueries()
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="audit-trail.csv"')
  async csv(@CurrentUser() user: AuthenticatedUser, @Query() f: AuditFilters): Promise<string> {
    const rows = await this.trail.events(user, checked(f), MAX_EXPORT);
    return safeCsv(
      CSV_COLUMNS,
      rows.map((r) => [
        r.recorded_at,
        r.event_type,
        r.stream_id,
        r.revision,
        r.child_id,
        r.case_id,
        r.actor_user_id,
        r.actor_role,
        r.actor_unit,
        r.reason,
        r.correlation_id,
        r.event_id,
      ]),
    );
  }
}

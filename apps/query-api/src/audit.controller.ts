import { applyDecorators, BadRequestException, Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AdministrativeUnits } from '@childledger/admin-units';
import { ApiPurpose, AuthenticatedUser, CurrentUser, Purpose, PURPOSES, ReadPurpose, readCorrelationId, Roles } from '@childledger/platform';
import { AuditTrailFilters, AuditTrailQueries, AuditTrailRow, ReadAuditFilters, ReadAuditQueries, ReadAuditRow } from '@childledger/read-models';
import { INSPECTION_ROLES, optionalDate } from './access';
import { exportSlot, streamCsv } from './csv-stream';
import { filtersUsed, subjectOf, trailPurpose, unitsOfJurisdiction, userUnits } from './inspection-scope';
import { AuditTrailPageDto, ReadAuditPageDto } from './inspection.dto';
import { decodeCursor, INSTANT, isInstantText, page, pageLimit } from './keyset';
import { ADMIN_UNITS } from './tokens';

type Request = { id?: string | number; query: Record<string, unknown>; headers: Record<string, string | string[] | undefined> };

/** The filters of the audit trail, as the OpenAPI document declares them (the JSON and the CSV routes take the same). */
const AuditFilterQueries = () =>
  applyDecorators(
    ApiQuery({ name: 'childId', required: false }),
    ApiQuery({ name: 'actorId', required: false }),
    ApiQuery({ name: 'unit', required: false, description: "the actor's unit, or a commune or province the child lived in during the period" }),
    ApiQuery({ name: 'eventType', required: false }),
    ApiQuery({ name: 'from', required: false, description: 'first day of the period inspected (YYYY-MM-DD, Vietnam time)' }),
    ApiQuery({ name: 'to', required: false, description: 'last day of the period inspected (YYYY-MM-DD)' }),
    ApiQuery({ name: 'purpose', required: false, enum: PURPOSES, description: 'why the trail is read (default inspection); recorded in the read audit' }),
    ApiHeader({ name: 'X-Purpose', required: false, enum: PURPOSES }),
  );

const ReadFilterQueries = () =>
  applyDecorators(
    ApiQuery({ name: 'childId', required: false, description: 'who viewed this child (or its cases)' }),
    ApiQuery({ name: 'actorId', required: false, description: 'what this user looked at' }),
    ApiQuery({ name: 'readPurpose', required: false, enum: PURPOSES, description: 'only reads made for this purpose' }),
    ApiQuery({ name: 'from', required: false, description: 'first day (YYYY-MM-DD, Vietnam time)' }),
    ApiQuery({ name: 'to', required: false, description: 'last day (YYYY-MM-DD)' }),
    ApiPurpose(),
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

interface ReadFilters {
  childId?: string;
  actorId?: string;
  readPurpose?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: string;
}

const TRAIL_COLUMNS = [
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

const READ_COLUMNS = ['read_at', 'user_id', 'role', 'user_units', 'purpose', 'resource_type', 'resource_id', 'child_id', 'view', 'correlation_id'] as const;

const ID = /^[A-Za-z0-9._:@-]{1,200}$/;
function optionalId(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!ID.test(value)) throw new BadRequestException({ message: `${field} must be an id of at most 200 letters, digits or . _ : @ -`, field });
  return value;
}

function period(f: { from?: string; to?: string }): { from?: string; to?: string } {
  const from = optionalDate(f.from || undefined, 'from');
  const to = optionalDate(f.to || undefined, 'to');
  if (from && to && from > to) throw new BadRequestException({ message: 'to must be on or after from', field: 'to' });
  return { from, to };
}

/** The query string's filters, checked: a bad one is a 400 naming its field. */
function checkedTrail(f: AuditFilters): AuditTrailFilters {
  if (f.unit && !/^(\d{2}|\d{5})$/.test(f.unit))
    throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
  if (f.eventType && !/^[A-Za-z]{1,100}$/.test(f.eventType))
    throw new BadRequestException({ message: 'eventType must be an event type name', field: 'eventType' });
  let after: AuditTrailFilters['after'];
  if (f.cursor) {
    const [recordedAt, position] = decodeCursor(f.cursor, 'cursor', [isInstantText, /^\d{1,18}$/]) as [string, string];
    after = { recordedAt, position };
  }
  return {
    childId: optionalId(f.childId, 'childId'),
    actorId: optionalId(f.actorId, 'actorId'),
    eventType: f.eventType || undefined,
    unit: f.unit || undefined,
    ...period(f),
    after,
  };
}

function checkedReads(f: ReadFilters): ReadAuditFilters {
  if (f.readPurpose && !(PURPOSES as readonly string[]).includes(f.readPurpose))
    throw new BadRequestException({ message: `readPurpose must be one of ${PURPOSES.join(', ')}`, field: 'readPurpose' });
  let after: ReadAuditFilters['after'];
  if (f.cursor) {
    const [readAt, id] = decodeCursor(f.cursor, 'cursor', [INSTANT, /^\d{1,18}$/]) as [string, string];
    after = { readAt, id };
  }
  return { childId: optionalId(f.childId, 'childId'), actorId: optionalId(f.actorId, 'actorId'), purpose: f.readPurpose || undefined, ...period(f), after };
}

const header = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const trailItem = (r: AuditTrailRow) => ({
  position: Number(r.position),
  recordedAt: r.recorded_at.toISOString(),
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
});

const readItem = (r: ReadAuditRow) => ({
  at: r.read_at.toISOString(),
  userId: r.user_id,
  role: r.role,
  userUnits: r.user_units,
  purpose: r.purpose,
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  childId: r.child_id,
  view: r.view,
  correlationId: r.correlation_id,
});

/**
 * Inspection: the audit trail (every event with who, what, when, why and its correlation id, by
 * child, actor, unit, event type and period) and the read audit (who viewed a child, what a user
 * looked at, and why). An inspector sees what concerns children who lived in their jurisdiction
 * during the period inspected, including children who have moved away since (an admin sees all).
 * Every query and export here is itself written to the read audit before it is answered.
 * Exports stream from a database cursor: no row limit, nothing cut (docs/inspection.md).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly trail: AuditTrailQueries,
    private readonly reads: ReadAuditQueries,
    @Inject(ADMIN_UNITS) private readonly units: AdministrativeUnits,
  ) {}

  private async audited(user: AuthenticatedUser, req: Request, purpose: Purpose, what: { kind: 'audit_trail' | 'read_audit'; export: boolean; f: object }) {
    const f = what.f as { childId?: string; actorId?: string; unit?: string };
    await this.reads.recordInspection({
      userId: user.userId,
      role: user.role,
      userUnits: userUnits(user),
      purpose,
      resourceType: what.kind,
      resourceId: subjectOf(f),
      childId: f.childId ?? null,
      view: `${what.export ? 'export' : 'search'}:${filtersUsed(what.f as Record<string, unknown>)}`,
      correlationId: readCorrelationId(req),
    });
  }

  @Get('events')
  @Roles(...INSPECTION_ROLES)
  @AuditFilterQueries()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiOkResponse({ type: AuditTrailPageDto })
  async events(@CurrentUser() user: AuthenticatedUser, @Query() q: AuditFilters & { purpose?: string }, @Req() req: Request): Promise<AuditTrailPageDto> {
    const limit = pageLimit(q.limit);
    const f = checkedTrail(q);
    const purpose = trailPurpose(q.purpose, header(req, 'x-purpose'));
    await this.audited(user, req, purpose, { kind: 'audit_trail', export: false, f });
    const found = await this.trail.events(user, f, limit + 1);
    const { rows, next } = page(found, limit, (r: AuditTrailRow) => [r.recorded_at_text, r.position]);
    return { items: rows.map(trailItem), nextCursor: next };
  }

  /** Every matching event as CSV, streamed from a cursor (no row limit); a cell a spreadsheet would run as a formula is neutralised (csv.ts). */
  @Get('events.csv')
  @Roles(...INSPECTION_ROLES)
  @AuditFilterQueries()
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV, one row per event, streamed', schema: { type: 'string' } })
  async csv(@CurrentUser() user: AuthenticatedUser, @Query() q: AuditFilters & { purpose?: string }, @Req() req: Request, @Res() res: Response): Promise<void> {
    const f = checkedTrail({ ...q, cursor: undefined });
    const purpose = trailPurpose(q.purpose, header(req, 'x-purpose'));
    const release = exportSlot(res);
    try {
      await this.audited(user, req, purpose, { kind: 'audit_trail', export: true, f });
      await streamCsv(res, 'audit-trail.csv', TRAIL_COLUMNS, this.trail.stream(user, f), (r) => [
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
      ]);
    } finally {
      release();
    }
  }

  /**
   * The read audit: who read a child's (or its cases') personal data, or what a user read — when,
   * with which purpose, which view. Inspectors' own queries here and on the trail are in it too
   * (resource types audit_trail, read_audit, log_integrity, event_proof).
   */
  @Get('reads')
  @Roles(...INSPECTION_ROLES)
  @ReadFilterQueries()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiOkResponse({ type: ReadAuditPageDto })
  async readAudit(
    @CurrentUser() user: AuthenticatedUser,
    @Query() q: ReadFilters,
    @ReadPurpose() purpose: Purpose,
    @Req() req: Request,
  ): Promise<ReadAuditPageDto> {
    const limit = pageLimit(q.limit);
    const f = checkedReads(q);
    await this.audited(user, req, purpose, { kind: 'read_audit', export: false, f });
    const found = await this.reads.reads(user, unitsOfJurisdiction(user, this.units), f, limit + 1);
    const { rows, next } = page(found, limit, (r: ReadAuditRow) => [r.read_at_text, r.id]);
    return { items: rows.map(readItem), nextCursor: next };
  }

  @Get('reads.csv')
  @Roles(...INSPECTION_ROLES)
  @ReadFilterQueries()
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV, one row per read, streamed', schema: { type: 'string' } })
  async readAuditCsv(
    @CurrentUser() user: AuthenticatedUser,
    @Query() q: ReadFilters,
    @ReadPurpose() purpose: Purpose,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const f = checkedReads({ ...q, cursor: undefined });
    const release = exportSlot(res);
    try {
      await this.audited(user, req, purpose, { kind: 'read_audit', export: true, f });
      await streamCsv(res, 'read-audit.csv', READ_COLUMNS, this.reads.stream(user, unitsOfJurisdiction(user, this.units), f), (r) => [
        r.read_at,
        r.user_id,
        r.role,
        r.user_units.join(' '),
        r.purpose,
        r.resource_type,
        r.resource_id,
        r.child_id,
        r.view,
        r.correlation_id,
      ]);
    } finally {
      release();
    }
  }
}

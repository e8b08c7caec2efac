import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdministrativeUnits } from '@childledger/admin-units';
import type { EventStore } from '@childledger/event-store';
import {
  AuthenticatedUser,
  CurrentUser,
  EVENT_STORE,
  ApiPurpose,
  Purpose,
  ReadPurpose,
  ReadAuditWriter,
  readCorrelationId,
  Roles,
} from '@childledger/platform';
import { caseAsOf, CaseEntity, CaseReadRepository, CaseRow } from '@childledger/read-models';
import { CASE_ROLES, optionalDate, requireAccess, requireUnitInJurisdiction } from './access';
import { decodeCursor, page, pageLimit } from './keyset';
import { ADMIN_UNITS } from './tokens';

function present(c: CaseEntity, now: Date, withPersonal: boolean) {
  const overdue = c.nextDueAt !== null && c.nextDueAt.getTime() < now.getTime();
  return {
    caseId: c.caseId,
    childId: c.childId,
    status: c.status,
    channel: c.channel,
    concern: c.concern,
    protectionLevel: c.protectionLevel,
    riskLevel: c.riskLevel,
    reportedAt: c.reportedAt,
    openedAt: c.openedAt,
    deadlines: { assessmentDueAt: c.assessmentDueAt, planDueAt: c.planDueAt, reviewDueAt: c.reviewDueAt, nextDueAt: c.nextDueAt },
    assessedAt: c.assessedAt,
    assessedOnTime: c.assessedOnTime,
    // Overdue depends on the clock, so it is computed when asked, from the stored deadline of the step the case waits for.
    overdue,
    closedAt: c.closedAt,
    outcome: c.outcome,
    reopenedCount: c.reopenedCount,
    assigneeId: c.assigneeId,
    assignedAt: c.assignedAt,
    ...(withPersonal ? { personal: c.personal, personalDataErased: c.personalErased } : {}),
  };
}

/** A replayed case row in the shape of the stored one, so both are presented alike. */
function fromRow(r: CaseRow): CaseEntity {
  const at = (v: string | null) => (v === null ? null : new Date(v));
  return {
    caseId: r.case_id,
    childId: r.child_id,
    status: r.status,
    channel: r.channel,
    concern: r.concern,
    protectionLevel: r.protection_level,
    riskLevel: r.risk_level,
    reportedAt: at(r.reported_at),
    openedAt: at(r.opened_at),
    assessmentDueAt: at(r.assessment_due_at),
    assessedAt: at(r.assessed_at),
    assessedOnTime: r.assessed_on_time,
    planDueAt: at(r.plan_due_at),
    plannedAt: at(r.planned_at),
    reviewDueAt: at(r.review_due_at),
    reviewedAt: at(r.reviewed_at),
    closedAt: at(r.closed_at),
    outcome: r.outcome,
    reopenedCount: r.reopened_count,
    personal: r.personal,
    personalErased: r.personal_erased,
    revision: String(r.revision),
    lastEventAt: new Date(r.last_event_at),
    nextDueAt: at(r.next_due_at),
    assigneeId: r.assignee_id,
    assignedAt: at(r.assigned_at),
  };
}

/** The end of a Vietnam day (UTC+7), as an instant. */
const endOfVietnamDay = (day: string) => new Date(Date.parse(`${day}T00:00:00+07:00`) + 86_400_000 - 1);

const CASE_ID_CURSOR = [null] as const;

/** "Due soon": the step's deadline falls within this many hours. */
export const DUE_SOON_HOURS = 72;
const WORKLIST_MAX_PAGE = 100;

export class WorklistItemDto {
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ format: 'uuid' }) childId: string;
  @ApiProperty({ description: 'The step the case is at: report_received, assessed, planned, implementing, reviewed' }) status: string;
  @ApiProperty({ type: String, nullable: true }) concern: string | null;
  @ApiProperty({ type: String, nullable: true }) protectionLevel: string | null;
  @ApiProperty({ type: String, nullable: true }) riskLevel: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) reportedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The deadline of the step the case waits for' }) nextDueAt: string | null;
  @ApiProperty({ description: 'Past the deadline now (computed at the read)' }) overdue: boolean;
  @ApiProperty({ description: `Due within ${DUE_SOON_HOURS} hours and not past it` }) dueSoon: boolean;
  @ApiProperty({ type: String, nullable: true }) assigneeId: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) assignedAt: string | null;
}

export class WorklistPageDto {
  @ApiProperty({ enum: ['mine', 'unassigned'] }) view: string;
  @ApiProperty({ type: [WorklistItemDto] }) cases: WorklistItemDto[];
  @ApiProperty({ description: 'Open cases in the view' }) total: number;
  @ApiProperty({ description: 'Of which overdue' }) overdue: number;
  @ApiProperty({ description: 'Of which due soon' }) dueSoon: number;
  @ApiProperty({ description: 'Cases matching the view and the due filter: the pages add up to this' }) matching: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class CaseDeadlinesDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) assessmentDueAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) planDueAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) reviewDueAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextDueAt: string | null;
}

export class CaseRecordDto {
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ format: 'uuid' }) childId: string;
  @ApiProperty() status: string;
  @ApiProperty({ type: String, nullable: true }) channel: string | null;
  @ApiProperty({ type: String, nullable: true }) concern: string | null;
  @ApiProperty({ type: String, nullable: true }) protectionLevel: string | null;
  @ApiProperty({ type: String, nullable: true }) riskLevel: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) reportedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) openedAt: string | null;
  @ApiProperty({ type: CaseDeadlinesDto }) deadlines: CaseDeadlinesDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) assessedAt: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) assessedOnTime: boolean | null;
  @ApiProperty({ description: 'Past the deadline of the step it waits for (computed at the read)' }) overdue: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) outcome: string | null;
  @ApiProperty() reopenedCount: number;
  @ApiProperty({ type: String, nullable: true, description: 'Who holds the case' }) assigneeId: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) assignedAt: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'Description and latest notes' }) personal?: Record<
    string,
    unknown
  > | null;
  @ApiPropertyOptional() personalDataErased?: boolean;
}

export class CaseListDto {
  @ApiProperty() unit!: string;
  @ApiProperty({ type: [CaseRecordDto] }) cases!: CaseRecordDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as `after` for the next page; null on the last' }) next!: string | null;
}

export class CaseAsOfDto {
  @ApiProperty({ format: 'date' }) asOf!: string;
  @ApiProperty({ enum: ['effective', 'recorded'] }) time!: string;
  @ApiProperty({ description: 'Events of the case folded to answer' }) eventsApplied!: number;
  @ApiProperty({ type: CaseRecordDto }) record!: CaseRecordDto;
}

function nonNegativeInt(value: string | undefined, field: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) throw new BadRequestException({ message: `${field} must be a whole number from 0 to ${max}`, field });
  return Number(value);
}

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(
    private readonly cases: CaseReadRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ADMIN_UNITS) private readonly units: AdministrativeUnits,
    private readonly readAudit: ReadAuditWriter,
  ) {}

  @Get()
  @Roles(...CASE_ROLES)
  @ApiQuery({ name: 'unit', required: true, description: 'province (2 digits) or commune (5 digits) in force today' })
  @ApiQuery({ name: 'overdue', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'limit', required: false, description: `1 to 500, default 100` })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` cursor of the previous page' })
  @ApiOkResponse({ type: CaseListDto })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query('unit') unit: string | undefined,
    @Query('overdue') overdue: string | undefined,
    @Query('limit') limitQuery: string | undefined,
    @Query('after') after: string | undefined,
  ) {
    if (!unit || !/^(\d{2}|\d{5})$/.test(unit))
      throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
    if (overdue !== undefined && overdue !== 'true' && overdue !== 'false')
      throw new BadRequestException({ message: 'overdue must be true or false', field: 'overdue' });
    const limit = pageLimit(limitQuery);
    requireUnitInJurisdiction(user, unit, unit.length === 2 ? unit : (this.units.provinceOfCommune(unit, new Date()) ?? ''));
    const afterCaseId = after === undefined ? undefined : decodeCursor(after, 'after', CASE_ID_CURSOR)[0];
    const ids = await this.cases.caseIdsOfUnit(user, { unit, overdueOnly: overdue === 'true', afterCaseId, limit: limit + 1 });
    const { rows, next } = page(ids, limit, (id) => [id]);
    const byId = await this.cases.casesByIds(rows);
    const now = new Date();
    // A case removed between the two reads is left out rather than failing the page.
    const cases = rows.flatMap((id) => {
      const c = byId.get(id);
      return c ? [present(c, now, false)] : [];
    });
    return { unit, cases, next };
  }

  @Get('worklist')
  @Roles(...CASE_ROLES)
  @ApiQuery({
    name: 'view',
    required: false,
    enum: ['mine', 'unassigned'],
    description: 'mine (default): open cases you hold; unassigned: open cases in your units nobody holds',
  })
  @ApiQuery({ name: 'due', required: false, enum: ['overdue', 'due_soon'] })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${WORKLIST_MAX_PAGE}, default 20` })
  @ApiQuery({ name: 'offset', required: false })
  @ApiOkResponse({ type: WorklistPageDto })
  async worklist(
    @CurrentUser() user: AuthenticatedUser,
    @Query('view') viewQuery: string | undefined,
    @Query('due') due: string | undefined,
    @Query('limit') limitQuery: string | undefined,
    @Query('offset') offsetQuery: string | undefined,
  ): Promise<WorklistPageDto> {
    const view = viewQuery ?? 'mine';
    if (view !== 'mine' && view !== 'unassigned') throw new BadRequestException({ message: 'view must be mine or unassigned', field: 'view' });
    if (due !== undefined && due !== 'overdue' && due !== 'due_soon')
      throw new BadRequestException({ message: 'due must be overdue or due_soon', field: 'due' });
    const limit = nonNegativeInt(limitQuery, 'limit', 20, WORKLIST_MAX_PAGE);
    if (limit < 1) throw new BadRequestException({ message: `limit must be a whole number from 1 to ${WORKLIST_MAX_PAGE}`, field: 'limit' });
    const offset = nonNegativeInt(offsetQuery, 'offset', 0, 1_000_000);
    const result = await this.cases.worklist(user, {
      view,
      userId: user.userId,
      ...(due ? { due } : {}),
      now: new Date(),
      dueSoonHours: DUE_SOON_HOURS,
      limit,
      offset,
    });
    const iso = (d: Date | null) => (d === null ? null : d.toISOString());
    return {
      view,
      cases: result.rows.map((r) => ({
        caseId: r.case_id,
        childId: r.child_id,
        status: r.status,
        concern: r.concern,
        protectionLevel: r.protection_level,
        riskLevel: r.risk_level,
        reportedAt: iso(r.reported_at),
        nextDueAt: iso(r.next_due_at),
        overdue: r.overdue,
        dueSoon: r.due_soon,
        assigneeId: r.assignee_id,
        assignedAt: iso(r.assigned_at),
      })),
      total: result.total,
      overdue: result.overdue,
      dueSoon: result.dueSoon,
      matching: result.matching,
      limit,
      offset,
    };
  }

  @Get(':caseId')
  @Roles(...CASE_ROLES)
  @ApiPurpose()
  @ApiOkResponse({ type: CaseRecordDto })
  async get(@CurrentUser() user: AuthenticatedUser, @Param('caseId') caseId: string, @ReadPurpose() purpose: Purpose, @Req() req: { id?: string | number }) {
    const c = await this.located(user, caseId);
    await this.readAudit.record(user, {
      purpose,
      resourceType: 'case',
      resourceId: caseId,
      childId: c.childId,
      view: 'current',
      correlationId: readCorrelationId(req),
    });
    return present(c, new Date(), true);
  }

  @Get(':caseId/as-of')
  @Roles(...CASE_ROLES)
  @ApiQuery({ name: 'date', required: true })
  @ApiQuery({ name: 'time', required: false, enum: ['effective', 'recorded'] })
  @ApiPurpose()
  @ApiOkResponse({ type: CaseAsOfDto })
  async asOf(
    @CurrentUser() user: AuthenticatedUser,
    @Param('caseId') caseId: string,
    @Query('date') date: string | undefined,
    @Query('time') time: string | undefined,
    @ReadPurpose() purpose: Purpose,
    @Req() req: { id?: string | number },
  ) {
    const day = optionalDate(date, 'date');
    if (!day) throw new BadRequestException({ message: 'date is required (YYYY-MM-DD)', field: 'date' });
    const mode = time ?? 'effective';
    if (mode !== 'effective' && mode !== 'recorded') throw new BadRequestException({ message: 'time must be effective or recorded', field: 'time' });
    // Jurisdiction is checked against where the child lives now, as for the current view.
    const current = await this.located(user, caseId);
    const events = await this.store.readStream(`case-${caseId}`);
    const { case: row, eventsApplied } = caseAsOf(events, day, mode, { personalErased: current.personalErased });
    await this.readAudit.record(user, {
      purpose,
      resourceType: 'case',
      resourceId: caseId,
      childId: current.childId,
      view: `as_of_${mode}:${day}`,
      correlationId: readCorrelationId(req),
    });
    if (!row) throw new NotFoundException(`case ${caseId} has no record as of ${day} (${mode} time)`);
    // Overdue as it stood at the end of that day (or now, for today).
    const at = new Date(Math.min(Date.now(), endOfVietnamDay(day).getTime()));
    return { asOf: day, time: mode, eventsApplied, record: present(fromRow(row), at, true) };
  }

  /** The case, if the user may see it: unknown, and a child outside the jurisdiction of where it lives now, are the same 404. */
  private async located(user: AuthenticatedUser, caseId: string): Promise<CaseEntity> {
    const found = await this.cases.findCaseWithChild(caseId);
    const notFound = `case ${caseId} not found`;
    if (!found) throw new NotFoundException(notFound);
    const { child } = found;
    requireAccess(user, { province_code: child.provinceCode, commune_code: child.communeCode, candidate_communes: child.candidateCommunes }, notFound);
    return found.case;
  }
}

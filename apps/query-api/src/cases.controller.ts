import { BadRequestException, Controller, Get, Headers, Inject, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { In, Repository } from 'typeorm';
import { AdministrativeUnits } from '@childledger/admin-units';
import type { EventStore } from '@childledger/event-store';
import { AuthenticatedUser, CurrentUser, EVENT_STORE, PG_POOL, Roles } from '@childledger/platform';
import { caseAsOf, CaseEntity, CaseRow, ChildEntity } from '@childledger/read-models';
import { CASE_ROLES, optionalDate, requireAccess, requirePurpose } from './access';
import { requireUnitInJurisdiction } from './access';
import { decodeCursor, jurisdictionSql, page, pageLimit } from './keyset';
import { ADMIN_UNITS } from './tokens';
import { ReadAuditService } from './read-audit.service';

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
    ...(withPersonal ? { personal: c.personal, personalDataErased: c.personalErased } : {}),
  };
}

/** A replayed case row in the shape of the stored one, so both are presented alike. */
function fromRow(r: CaseRow): CaseEntity {
  const at = (v: string | null) => (v === null ? null : new Date(v));
  return {
    caseId: r.case_id, childId: r.child_id, status: r.status, channel: r.channel, concern: r.concern, protectionLevel: r.protection_level,
    riskLevel: r.risk_level, reportedAt: at(r.reported_at), openedAt: at(r.opened_at), assessmentDueAt: at(r.assessment_due_at),
    assessedAt: at(r.assessed_at), assessedOnTime: r.assessed_on_time, planDueAt: at(r.plan_due_at), plannedAt: at(r.planned_at),
    reviewDueAt: at(r.review_due_at), reviewedAt: at(r.reviewed_at), closedAt: at(r.closed_at), outcome: r.outcome, reopenedCount: r.reopened_count,
    personal: r.personal, personalErased: r.personal_erased, revision: String(r.revision), lastEventAt: new Date(r.last_event_at), nextDueAt: at(r.next_due_at),
  };
}

/** The end of a Vietnam day (UTC+7), as an instant. */
const endOfVietnamDay = (day: string) => new Date(Date.parse(`${day}T00:00:00+07:00`) + 86_400_000 - 1);

const CASE_ID_CURSOR = [null] as const;

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(
    @InjectRepository(CaseEntity) private readonly cases: Repository<CaseEntity>,
    @InjectRepository(ChildEntity) private readonly children: Repository<ChildEntity>,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ADMIN_UNITS) private readonly units: AdministrativeUnits,
    private readonly readAudit: ReadAuditService,
  ) {}

  @Get()
  @Roles(...CASE_ROLES)
  @ApiQuery({ name: 'unit', required: true, description: 'province (2 digits) or commune (5 digits) in force today' })
  @ApiQuery({ name: 'overdue', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'limit', required: false, description: `1 to 500, default 100` })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` cursor of the previous page' })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query('unit') unit: string | undefined,
    @Query('overdue') overdue: string | undefined,
    @Query('limit') limitQuery: string | undefined,
    @Query('after') after: string | undefined,
  ) {
    if (!unit || !/^(\d{2}|\d{5})$/.test(unit)) throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
    if (overdue !== undefined && overdue !== 'true' && overdue !== 'false') throw new BadRequestException({ message: 'overdue must be true or false', field: 'overdue' });
    const limit = pageLimit(limitQuery);
    requireUnitInJurisdiction(user, unit, unit.length === 2 ? unit : (this.units.provinceOfCommune(unit, new Date()) ?? ''));
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [`${unit.length === 2 ? 'ch.province_code' : 'ch.commune_code'} = ${p(unit)}`];
    if (overdue === 'true') where.push('c.next_due_at < now()');
    // The unit asked for may be wider than what the user sees of it (a commune officer asking for a
    // split old commune's new one): filter in the query so that a page is never short.
    const visible = jurisdictionSql(user, { province: 'ch.province_code', commune: 'ch.commune_code', candidates: 'ch.candidate_communes' }, p);
    if (visible) where.push(visible);
    if (after !== undefined) where.push(`c.case_id > ${p(decodeCursor(after, 'after', CASE_ID_CURSOR)[0])}`);
    const res = await this.pool.query<{ case_id: string }>(
      `SELECT c.case_id FROM rm_cases c JOIN rm_children ch USING (child_id) WHERE ${where.join(' AND ')} ORDER BY c.case_id LIMIT ${p(limit + 1)}`,
      params,
    );
    const { rows, next } = page(res.rows, limit, (r) => [r.case_id]);
    const byId = new Map((rows.length ? await this.cases.findBy({ caseId: In(rows.map((r) => r.case_id)) }) : []).map((c) => [c.caseId, c]));
    const now = new Date();
    // A case removed between the two reads is left out rather than failing the page.
    const cases = rows.flatMap((r) => {
      const c = byId.get(r.case_id);
      return c ? [present(c, now, false)] : [];
    });
    return { unit, cases, next };
  }

  @Get(':caseId')
  @Roles(...CASE_ROLES)
  @ApiQuery({ name: 'purpose', required: false })
  async get(@CurrentUser() user: AuthenticatedUser, @Param('caseId') caseId: string, @Query('purpose') purposeQuery: string | undefined, @Headers('x-purpose') purposeHeader: string | undefined, @Req() req: { id?: string | number }) {
    const purpose = requirePurpose(purposeQuery, purposeHeader);
    const c = await this.located(user, caseId);
    await this.readAudit.record(user, { purpose, resourceType: 'case', resourceId: caseId, childId: c.childId, view: 'current', correlationId: req.id === undefined ? undefined : String(req.id) });
    return present(c, new Date(), true);
  }

  @Get(':caseId/as-of')
  @Roles(...CASE_ROLES)
  @ApiQuery({ name: 'date', required: true })
  @ApiQuery({ name: 'time', required: false, enum: ['effective', 'recorded'] })
  @ApiQuery({ name: 'purpose', required: false })
  async asOf(
    @CurrentUser() user: AuthenticatedUser,
    @Param('caseId') caseId: string,
    @Query('date') date: string | undefined,
    @Query('time') time: string | undefined,
    @Query('purpose') purposeQuery: string | undefined,
    @Headers('x-purpose') purposeHeader: string | undefined,
    @Req() req: { id?: string | number },
  ) {
    const purpose = requirePurpose(purposeQuery, purposeHeader);
    const day = optionalDate(date, 'date');
    if (!day) throw new BadRequestException({ message: 'date is required (YYYY-MM-DD)', field: 'date' });
    const mode = time ?? 'effective';
    if (mode !== 'effective' && mode !== 'recorded') throw new BadRequestException({ message: 'time must be effective or recorded', field: 'time' });
    // Jurisdiction is checked against where the child lives now, as for the current view.
    const current = await this.located(user, caseId);
    const events = await this.store.readStream(`case-${caseId}`);
    const { case: row, eventsApplied } = caseAsOf(events, day, mode, { personalErased: current.personalErased });
    await this.readAudit.record(user, { purpose, resourceType: 'case', resourceId: caseId, childId: current.childId, view: `as_of_${mode}:${day}`, correlationId: req.id === undefined ? undefined : String(req.id) });
    if (!row) throw new NotFoundException(`case ${caseId} has no record as of ${day} (${mode} time)`);
    // Overdue as it stood at the end of that day (or now, for today).
    const at = new Date(Math.min(Date.now(), endOfVietnamDay(day).getTime()));
    return { asOf: day, time: mode, eventsApplied, record: present(fromRow(row), at, true) };
  }

  /** The case, if the user may see it: 404 unknown, 403 outside the jurisdiction of where the child lives now. */
  private async located(user: AuthenticatedUser, caseId: string): Promise<CaseEntity> {
    const c = await this.cases.findOneBy({ caseId });
    const child = c ? await this.children.findOneBy({ childId: c.childId }) : null;
    if (!c || !child) throw new NotFoundException(`case ${caseId} not found`);
    requireAccess(user, { province_code: child.provinceCode, commune_code: child.communeCode, candidate_communes: child.candidateCommunes }, `case ${caseId}`);
    return c;
  }
}

import { BadRequestException, Controller, Get, Headers, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { Repository } from 'typeorm';
import { AdministrativeUnits } from '@childledger/admin-units';
import { AuthenticatedUser, CurrentUser, PG_POOL, Roles } from '@childledger/platform';
import { CaseEntity, ChildEntity } from '@childledger/read-models';
import { CASE_ROLES, mayAccess, requireAccess, requirePurpose } from './access';
import { requireUnitInJurisdiction } from './access';
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

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(
    @InjectRepository(CaseEntity) private readonly cases: Repository<CaseEntity>,
    @InjectRepository(ChildEntity) private readonly children: Repository<ChildEntity>,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(ADMIN_UNITS) private readonly units: AdministrativeUnits,
    private readonly readAudit: ReadAuditService,
  ) {}

  @Get()
  @Roles(...CASE_ROLES)
  @ApiQuery({ name: 'unit', required: true, description: 'province (2 digits) or commune (5 digits) in force today' })
  @ApiQuery({ name: 'overdue', required: false, enum: ['true', 'false'] })
  async list(@CurrentUser() user: AuthenticatedUser, @Query('unit') unit: string | undefined, @Query('overdue') overdue: string | undefined) {
    if (!unit || !/^(\d{2}|\d{5})$/.test(unit)) throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
    requireUnitInJurisdiction(user, unit, unit.length === 2 ? unit : (this.units.provinceOfCommune(unit, new Date()) ?? ''));
    const column = unit.length === 2 ? 'ch.province_code' : 'ch.commune_code';
    const res = await this.pool.query<{ case_id: string; province_code: string | null; commune_code: string | null; candidate_communes: string[] }>(
      `SELECT c.case_id, ch.province_code, ch.commune_code, ch.candidate_communes FROM rm_cases c JOIN rm_children ch USING (child_id)
        WHERE ${column} = $1 ${overdue === 'true' ? 'AND c.next_due_at < now()' : ''} ORDER BY c.case_id LIMIT 1000`,
      [unit],
    );
    const visible = res.rows.filter((r) => mayAccess(user, r));
    const rows = visible.length ? await this.cases.findByIds(visible.map((r) => r.case_id)) : [];
    const now = new Date();
    return { unit, cases: rows.map((c) => present(c, now, false)) };
  }

  @Get(':caseId')
  @Roles(...CASE_ROLES)
  @ApiQuery({ name: 'purpose', required: false })
  async get(@CurrentUser() user: AuthenticatedUser, @Param('caseId') caseId: string, @Query('purpose') purposeQuery: string | undefined, @Headers('x-purpose') purposeHeader: string | undefined, @Req() req: { id?: string | number }) {
    const purpose = requirePurpose(purposeQuery, purposeHeader);
    const c = await this.cases.findOneBy({ caseId });
    const child = c ? await this.children.findOneBy({ childId: c.childId }) : null;
    requireAccess(user, c && child ? { province_code: child.provinceCode, commune_code: child.communeCode, candidate_communes: child.candidateCommunes } : undefined, `case ${caseId}`);
    await this.readAudit.record(user, { purpose, resourceType: 'case', resourceId: caseId, childId: c!.childId, view: 'current', correlationId: req.id === undefined ? undefined : String(req.id) });
    return present(c!, new Date(), true);
  }
}

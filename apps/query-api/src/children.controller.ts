import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@childledger/event-store';
import { AuthenticatedUser, CurrentUser, EVENT_STORE, ApiPurpose, Purpose, ReadPurpose, ReadAuditWriter, readCorrelationId, Roles } from '@childledger/platform';
import { childAsOf, ChildEntity, ChildReadRepository, ChildRow, ReadAuditQueries, UnitResolver } from '@childledger/read-models';
import { ALL_ROLES, INSPECTION_ROLES, optionalDate, requireAccess } from './access';
import { UNIT_RESOLVER } from './tokens';

type Request = { id?: string | number };

function present(c: ChildEntity | ChildRow) {
  const r = c as unknown as Record<string, unknown>;
  const get = (camel: string, snake: string) => r[camel] ?? r[snake] ?? null;
  return {
    childId: get('childId', 'child_id'),
    status: get('status', 'status'),
    sex: get('sex', 'sex'),
    personal: get('personal', 'personal'),
    personalDataErased: get('personalErased', 'personal_erased') === true,
    residence: {
      recordedCommuneCode: get('residenceCommuneCode', 'residence_commune_code'),
      effectiveFrom: get('residenceEffectiveFrom', 'residence_effective_from'),
      communeCode: get('communeCode', 'commune_code'),
      provinceCode: get('provinceCode', 'province_code'),
      candidateCommunes: get('candidateCommunes', 'candidate_communes'),
      ambiguous: get('residenceAmbiguous', 'residence_ambiguous') === true,
    },
    circumstances: get('circumstances', 'circumstances'),
    risks: get('risks', 'risks'),
    atRisk: ((get('risks', 'risks') as number[] | null) ?? []).length > 0,
    nationalId: { state: get('nationalIdState', 'national_id_state'), source: get('nationalIdSource', 'national_id_source'), linkedAt: get('nationalIdLinkedAt', 'national_id_linked_at') },
    mergedInto: get('mergedInto', 'merged_into'),
    revision: Number(get('revision', 'revision')),
  };
}

@ApiTags('children')
@ApiBearerAuth()
@Controller('children')
export class ChildrenController {
  constructor(
    private readonly children: ChildReadRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(UNIT_RESOLVER) private readonly units: UnitResolver,
    private readonly readAudit: ReadAuditWriter,
    private readonly readAuditViews: ReadAuditQueries,
  ) {}

  /** The child, if the user may see it; unknown and outside the jurisdiction are the same 404. */
  private async located(user: AuthenticatedUser, childId: string): Promise<ChildEntity> {
    const child = await this.children.findChild(childId);
    const notFound = `child ${childId} not found`;
    if (!child) throw new NotFoundException(notFound);
    requireAccess(user, { province_code: child.provinceCode, commune_code: child.communeCode, candidate_communes: child.candidateCommunes }, notFound);
    return child;
  }

  @Get(':childId')
  @Roles(...ALL_ROLES)
  @ApiPurpose()
  async get(@CurrentUser() user: AuthenticatedUser, @Param('childId') childId: string, @ReadPurpose() purpose: Purpose, @Req() req: Request) {
    const child = await this.located(user, childId);
    await this.readAudit.record(user, { purpose, resourceType: 'child', resourceId: childId, childId, view: 'current', correlationId: readCorrelationId(req) });
    return present(child);
  }

  @Get(':childId/as-of')
  @Roles(...ALL_ROLES)
  @ApiQuery({ name: 'date', required: true })
  @ApiQuery({ name: 'time', required: false, enum: ['effective', 'recorded'] })
  @ApiPurpose()
  async asOf(
    @CurrentUser() user: AuthenticatedUser,
    @Param('childId') childId: string,
    @Query('date') date: string | undefined,
    @Query('time') time: string | undefined,
    @ReadPurpose() purpose: Purpose,
    @Req() req: Request,
  ) {
    const day = optionalDate(date, 'date');
    if (!day) throw new BadRequestException({ message: 'date is required (YYYY-MM-DD)', field: 'date' });
    const mode = time ?? 'effective';
    if (mode !== 'effective' && mode !== 'recorded') throw new BadRequestException({ message: 'time must be effective or recorded', field: 'time' });
    // Jurisdiction is checked against where the child lives now.
    await this.located(user, childId);
    const events = await this.store.readStream(`child-${childId}`);
    const { child, eventsApplied } = childAsOf(events, day, mode, this.units);
    await this.readAudit.record(user, { purpose, resourceType: 'child', resourceId: childId, childId, view: `as_of_${mode}:${day}`, correlationId: readCorrelationId(req) });
    if (!child) throw new NotFoundException(`child ${childId} has no record as of ${day} (${mode} time)`);
    return { asOf: day, time: mode, eventsApplied, record: present(child) };
  }

  @Get(':childId/views')
  @Roles(...INSPECTION_ROLES)
  async views(@CurrentUser() user: AuthenticatedUser, @Param('childId') childId: string) {
    await this.located(user, childId);
    const rows = await this.readAuditViews.viewsOf(childId);
    return { childId, views: rows.map((r) => ({ at: r.readAt, userId: r.userId, role: r.role, userUnits: r.userUnits, purpose: r.purpose, resource: `${r.resourceType}:${r.resourceId}`, view: r.view, correlationId: r.correlationId })) };
  }
}

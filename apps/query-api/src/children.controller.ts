import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
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
  Role,
  Roles,
} from '@childledger/platform';
import { isIsoDate, typedNameReadings } from '@childledger/domain';
import {
  childAsOf,
  ChildEntity,
  ChildReadRepository,
  withMergedFacts,
  ChildRow,
  ChildSearchQueries,
  childTimeline,
  NATIONAL_ID_STATES,
  NationalIdState,
  ReadAuditQueries,
  UnitResolver,
} from '@childledger/read-models';
import { ALL_ROLES, CASE_ROLES, INSPECTION_ROLES, optionalDate, requireAccess } from './access';
import { ChildAsOfDto, ChildCasesDto, ChildRecordDto, ChildSearchPageDto, ChildTimelineDto, ChildViewsDto } from './children.dto';
import { decodeCursor, page, pageLimit } from './keyset';
import { UNIT_RESOLVER } from './tokens';

type Request = { id?: string | number };

/** Who may search children: the people who look for a child to work on (docs/search.md). */
const SEARCH_ROLES: Role[] = ['data_officer', 'case_worker'];
const UUID_LIKE = /^[A-Za-z0-9-]{1,100}$/;
const bad = (field: string, message: string) => new BadRequestException({ message: `${field} ${message}`, field });

function optionalMatch(value: string | undefined, field: string, pattern: RegExp, rule: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!pattern.test(value)) throw bad(field, rule);
  return value;
}

const shown = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));

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
    nationalId: {
      state: get('nationalIdState', 'national_id_state'),
      source: get('nationalIdSource', 'national_id_source'),
      linkedAt: get('nationalIdLinkedAt', 'national_id_linked_at'),
    },
    mergedInto: get('mergedInto', 'merged_into'),
    mergedFrom: (get('mergedFrom', 'merged_from') as string[] | null) ?? [],
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
    private readonly search: ChildSearchQueries,
  ) {}

  /** The child, if the user may see it; unknown and outside the jurisdiction are the same 404. */
  private async located(user: AuthenticatedUser, childId: string): Promise<ChildEntity> {
    const child = await this.children.findChild(childId);
    const notFound = `child ${childId} not found`;
    if (!child) throw new NotFoundException(notFound);
    requireAccess(user, { province_code: child.provinceCode, commune_code: child.communeCode, candidate_communes: child.candidateCommunes }, notFound);
    return child;
  }

  /**
   * Children in the caller's jurisdiction (by current residence, in the SQL) matching every filter
   * given, ordered by name, keyset-paged. A search shows personal data: it states a purpose and each
   * child on the page is written to the read audit (view `search:<filters used>`), or one entry with
   * no child when nothing was found (docs/search.md).
   */
  @Get('search')
  @Roles(...SEARCH_ROLES)
  @ApiQuery({ name: 'name', required: false, description: 'With or without accents; Telex or VNI typing is understood' })
  @ApiQuery({ name: 'dateOfBirth', required: false, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'birthYear', required: false, description: 'YYYY' })
  @ApiQuery({ name: 'communeCode', required: false, description: 'commune of current residence (5 digits, in force today)' })
  @ApiQuery({ name: 'personalId', required: false, description: '12-digit personal ID (or a 9-digit old ID card number)' })
  @ApiQuery({ name: 'nationalIdState', required: false, enum: NATIONAL_ID_STATES })
  @ApiQuery({ name: 'group', required: false, description: 'special-circumstance group, 1 to 14' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` cursor of the previous page' })
  @ApiPurpose()
  @ApiOkResponse({ type: ChildSearchPageDto })
  async searchChildren(
    @CurrentUser() user: AuthenticatedUser,
    @Query('name') name: string | undefined,
    @Query('dateOfBirth') dateOfBirth: string | undefined,
    @Query('birthYear') birthYear: string | undefined,
    @Query('communeCode') communeCode: string | undefined,
    @Query('personalId') personalId: string | undefined,
    @Query('nationalIdState') nationalIdState: string | undefined,
    @Query('group') group: string | undefined,
    @Query('limit') limitQuery: string | undefined,
    @Query('after') after: string | undefined,
    @ReadPurpose() purpose: Purpose,
    @Req() req: Request,
  ): Promise<ChildSearchPageDto> {
    const limit = pageLimit(limitQuery);
    if (name !== undefined && [...name].length > 200) throw bad('name', 'must be at most 200 characters');
    const nameReadings = name === undefined ? [] : typedNameReadings(name);
    if (dateOfBirth && !isIsoDate(dateOfBirth)) throw bad('dateOfBirth', 'must be a date YYYY-MM-DD');
    const year = optionalMatch(birthYear, 'birthYear', /^(19|20)\d{2}$/, 'must be a year YYYY');
    const commune = optionalMatch(communeCode, 'communeCode', /^\d{5}$/, 'must be a 5-digit commune code');
    const pid = optionalMatch(personalId, 'personalId', /^(\d{9}|\d{12})$/, 'must be 12 digits (or 9 for an old ID card)');
    const state = optionalMatch(
      nationalIdState,
      'nationalIdState',
      new RegExp(`^(${NATIONAL_ID_STATES.join('|')})$`),
      `must be one of ${NATIONAL_ID_STATES.join(', ')}`,
    );
    const grp = optionalMatch(group, 'group', /^([1-9]|1[0-4])$/, 'must be a special-circumstance group from 1 to 14');
    const afterChildId = after === undefined ? undefined : decodeCursor(after, 'after', [UUID_LIKE])[0];
    const rows = await this.search.search(user, {
      nameReadings,
      dateOfBirth: dateOfBirth || undefined,
      birthYear: year === undefined ? undefined : Number(year),
      communeCode: commune,
      personalId: pid,
      nationalIdState: state as NationalIdState | undefined,
      group: grp === undefined ? undefined : Number(grp),
      afterChildId,
      limit: limit + 1,
    });
    const result = page(rows, limit, (r) => [r.child_id]);
    // The filters used, by name only: a name or an ID typed into a search is itself personal data.
    const used = Object.entries({
      name: nameReadings.length > 0,
      dateOfBirth,
      birthYear: year,
      communeCode: commune,
      personalId: pid,
      nationalIdState: state,
      group: grp,
    })
      .filter(([, v]) => v !== undefined && v !== false && v !== '')
      .map(([k]) => k);
    const view = `search:${used.join(',') || 'all'}`;
    const correlationId = readCorrelationId(req);
    if (result.rows.length === 0)
      await this.readAudit.record(user, { purpose, resourceType: 'child', resourceId: 'search', childId: null, view, correlationId });
    for (const r of result.rows)
      await this.readAudit.record(user, { purpose, resourceType: 'child', resourceId: r.child_id, childId: r.child_id, view, correlationId });
    return {
      children: result.rows.map((r) => ({
        childId: r.child_id,
        fullName: r.full_name,
        sex: r.sex,
        dateOfBirth: r.date_of_birth,
        personalId: r.personal_id,
        communeCode: r.commune_code,
        provinceCode: r.province_code,
        nationalIdState: r.national_id_state,
        circumstances: r.circumstances,
        atRisk: r.risks.length > 0,
        revision: r.revision,
      })),
      next: result.next,
    };
  }

  @Get(':childId')
  @Roles(...ALL_ROLES)
  @ApiPurpose()
  @ApiOkResponse({ type: ChildRecordDto })
  async get(@CurrentUser() user: AuthenticatedUser, @Param('childId') childId: string, @ReadPurpose() purpose: Purpose, @Req() req: Request) {
    const child = await this.located(user, childId);
    await this.readAudit.record(user, { purpose, resourceType: 'child', resourceId: childId, childId, view: 'current', correlationId: readCorrelationId(req) });
    // A survivor carries the facts of the duplicates merged into it.
    const merged = child.status === 'merged' ? [] : await this.children.mergedInto(childId);
    return merged.length ? present(withMergedFacts(child, merged)) : present(child);
  }

  @Get(':childId/as-of')
  @Roles(...ALL_ROLES)
  @ApiQuery({ name: 'date', required: true })
  @ApiQuery({ name: 'time', required: false, enum: ['effective', 'recorded'] })
  @ApiPurpose()
  @ApiOkResponse({ type: ChildAsOfDto })
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
    await this.readAudit.record(user, {
      purpose,
      resourceType: 'child',
      resourceId: childId,
      childId,
      view: `as_of_${mode}:${day}`,
      correlationId: readCorrelationId(req),
    });
    if (!child) throw new NotFoundException(`child ${childId} has no record as of ${day} (${mode} time)`);
    return { asOf: day, time: mode, eventsApplied, record: present(child) };
  }

  /**
   * Every event of the child's record, oldest first: what, when, who (role, unit), why; a correction
   * with each changed field from → to. Personal data: a purpose, and a read-audit entry (view `timeline`).
   */
  @Get(':childId/timeline')
  @Roles(...ALL_ROLES)
  @ApiPurpose()
  @ApiOkResponse({ type: ChildTimelineDto })
  async timeline(
    @CurrentUser() user: AuthenticatedUser,
    @Param('childId') childId: string,
    @ReadPurpose() purpose: Purpose,
    @Req() req: Request,
  ): Promise<ChildTimelineDto> {
    await this.located(user, childId);
    const events = await this.store.readStream(`child-${childId}`);
    await this.readAudit.record(user, {
      purpose,
      resourceType: 'child',
      resourceId: childId,
      childId,
      view: 'timeline',
      correlationId: readCorrelationId(req),
    });
    return {
      childId,
      events: childTimeline(events, this.units).map((e) => ({
        ...e,
        changes: e.changes.map((c) => ({ field: c.field, from: shown(c.from), to: shown(c.to) })),
      })),
    };
  }

  /**
   * The child's cases: a case worker, inspector or admin sees each case's status and dates; a data
   * officer only how many are open (case content is not theirs: the read policy's CASE_CONTENT_ROLES).
   */
  @Get(':childId/cases')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: ChildCasesDto })
  async cases(@CurrentUser() user: AuthenticatedUser, @Param('childId') childId: string): Promise<ChildCasesDto> {
    const child = await this.located(user, childId);
    // A survivor's cases include those opened for the duplicates merged into it.
    const merged = child.status === 'merged' ? [] : await this.children.mergedInto(childId);
    const rows = await this.search.casesOfChildren([childId, ...merged.map((d) => d.childId)], 100);
    const openCaseCount = rows.filter((r) => r.status !== 'closed').length;
    const contentVisible = CASE_ROLES.includes(user.role);
    const at = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      childId,
      openCaseCount,
      contentVisible,
      cases: contentVisible
        ? rows.map((r) => ({ caseId: r.case_id, status: r.status, openedAt: at(r.opened_at), closedAt: at(r.closed_at), nextDueAt: at(r.next_due_at) }))
        : [],
    };
  }

  @Get(':childId/views')
  @Roles(...INSPECTION_ROLES)
  @ApiOkResponse({ type: ChildViewsDto })
  async views(@CurrentUser() user: AuthenticatedUser, @Param('childId') childId: string) {
    await this.located(user, childId);
    const rows = await this.readAuditViews.viewsOf(childId);
    return {
      childId,
      views: rows.map((r) => ({
        at: r.readAt,
        userId: r.userId,
        role: r.role,
        userUnits: r.userUnits,
        purpose: r.purpose,
        resource: `${r.resourceType}:${r.resourceId}`,
        view: r.view,
        correlationId: r.correlationId,
      })),
    };
  }
}

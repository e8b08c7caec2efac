import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { EventStore } from '@childledger/event-store';
import {
  ApiPurpose,
  AuthenticatedUser,
  CurrentUser,
  EVENT_STORE,
  Purpose,
  ReadAuditWriter,
  ReadPurpose,
  readCorrelationId,
  Roles,
} from '@childledger/platform';
import { AuditTrailQueries, childAsOf, ChildRow, ReadAuditQueries, UnitResolver } from '@childledger/read-models';
import { ProofNotAvailableError } from '@childledger/trust';
import { INSPECTION_ROLES, optionalDate } from './access';
import { ChildAsOfDto, ChildRecordDto } from './children.dto';
import { userUnits } from './inspection-scope';
import { InclusionProofDto, IntegrityStatusDto } from './inspection.dto';
import { IntegrityService } from './integrity.service';
import { UNIT_RESOLVER } from './tokens';

type Request = { id?: string | number };

/** A child's record as of a date (the same shape as GET /children/{id}/as-of). */
function presentRow(c: ChildRow): ChildRecordDto {
  return {
    childId: c.child_id,
    status: c.status,
    sex: c.sex,
    personal: c.personal,
    personalDataErased: c.personal_erased === true,
    residence: {
      recordedCommuneCode: c.residence_commune_code,
      effectiveFrom: c.residence_effective_from,
      communeCode: c.commune_code,
      provinceCode: c.province_code,
      candidateCommunes: c.candidate_communes,
      ambiguous: c.residence_ambiguous === true,
    },
    circumstances: c.circumstances,
    risks: c.risks,
    atRisk: (c.risks ?? []).length > 0,
    nationalId: { state: c.national_id_state, source: c.national_id_source, linkedAt: c.national_id_linked_at },
    mergedInto: c.merged_into,
    revision: Number(c.revision),
  };
}

const unknownEvent = (eventId: string) => new NotFoundException(`eventId: no event ${eventId} is in the chain (unknown, or not chained yet)`);

/**
 * What an inspector checks beside the trails: a record as it stood on a date (for a child who
 * lived in their jurisdiction on that date, even if it lives elsewhere now), whether the log
 * verifies up to its last signed checkpoint, and a proof for one event. Each is audited.
 */
@ApiTags('inspection')
@ApiBearerAuth()
@Controller('inspection')
export class InspectionController {
  constructor(
    private readonly integrity: IntegrityService,
    private readonly trail: AuditTrailQueries,
    private readonly reads: ReadAuditQueries,
    private readonly readAudit: ReadAuditWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(UNIT_RESOLVER) private readonly units: UnitResolver,
  ) {}

  @Get('children/:childId/as-of')
  @Roles(...INSPECTION_ROLES)
  @ApiQuery({ name: 'date', required: true, description: 'YYYY-MM-DD' })
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
  ): Promise<ChildAsOfDto> {
    const day = optionalDate(date || undefined, 'date');
    if (!day) throw new BadRequestException({ message: 'date is required (YYYY-MM-DD)', field: 'date' });
    const mode = time ?? 'effective';
    if (mode !== 'effective' && mode !== 'recorded') throw new BadRequestException({ message: 'time must be effective or recorded', field: 'time' });
    const notFound = `child ${childId} has no record as of ${day} in your jurisdiction`;
    // Where the child lived on that day, not where it lives now: unknown and elsewhere are the same 404.
    if (!/^[A-Za-z0-9-]{1,100}$/.test(childId) || !(await this.reads.everInJurisdiction(user, childId, { from: day, to: day })))
      throw new NotFoundException(notFound);
    const { child, eventsApplied } = childAsOf(await this.store.readStream(`child-${childId}`), day, mode, this.units);
    await this.readAudit.record(user, {
      purpose,
      resourceType: 'child',
      resourceId: childId,
      childId,
      view: `as_of_${mode}:${day}`,
      correlationId: readCorrelationId(req),
    });
    if (!child) throw new NotFoundException(notFound);
    return { asOf: day, time: mode, eventsApplied, record: presentRow(child) };
  }

  /** Whether verify-log passes up to the last signed checkpoint (its seq, position, time and key id), and the first problem if not. */
  @Get('integrity')
  @Roles(...INSPECTION_ROLES)
  @ApiOkResponse({ type: IntegrityStatusDto })
  async status(@CurrentUser() user: AuthenticatedUser, @Req() req: Request): Promise<IntegrityStatusDto> {
    await this.reads.recordInspection({
      userId: user.userId,
      role: user.role,
      userUnits: userUnits(user),
      purpose: 'inspection',
      resourceType: 'log_integrity',
      resourceId: 'log',
      childId: null,
      view: 'status',
      correlationId: readCorrelationId(req),
    });
    return this.integrity.status();
  }

  /**
   * An inclusion proof for one event of a child who lived in the caller's jurisdiction (docs/trust.md),
   * as a file: check it offline with `npm run cli -- verify-proof FILE --public-key <published key>`.
   */
  @Get('proofs/:eventId')
  @Roles(...INSPECTION_ROLES)
  @ApiPurpose()
  @ApiOkResponse({ type: InclusionProofDto })
  async proof(
    @CurrentUser() user: AuthenticatedUser,
    @Param('eventId', new ParseUUIDPipe()) eventId: string,
    @ReadPurpose() purpose: Purpose,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<InclusionProofDto> {
    const entry = await this.trail.event(user, eventId);
    if (!entry) throw unknownEvent(eventId);
    await this.reads.recordInspection({
      userId: user.userId,
      role: user.role,
      userUnits: userUnits(user),
      purpose,
      resourceType: 'event_proof',
      resourceId: eventId,
      childId: entry.child_id,
      view: 'download',
      correlationId: readCorrelationId(req),
    });
    try {
      const proof = await this.integrity.proof(eventId);
      res.setHeader('content-disposition', `attachment; filename="proof-${eventId}.json"`);
      return proof;
    } catch (err) {
      if (err instanceof ProofNotAvailableError) {
        if (err.reason === 'unknown-event') throw unknownEvent(eventId);
        throw new NotFoundException({ message: `eventId: ${err.message}; retry after the next checkpoint`, field: 'eventId', rule: 'NOT_SEALED_YET' });
      }
      throw err;
    }
  }
}

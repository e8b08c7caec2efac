import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ChildStateDto } from '../http/records.dto';
import type { Response } from 'express';
import { COMMAND_ROLES, CommandResponseBody, DomainContextFactory, READ_ROLES, RegistryReader } from '@childledger/registry';
import {
  ChangeResidenceCommand,
  CorrectChildDetailsCommand,
  EndSpecialCircumstanceCommand,
  IdentifyRiskCommand,
  IdentifySpecialCircumstanceCommand,
  LinkNationalIdCommand,
  MergeChildRecordsCommand,
  RecordNoNationalRecordCommand,
  RegisterChildCommand,
  RequestIdentityReviewCommand,
  ResolveRiskCommand,
  RevertMergeCommand,
  UnlinkNationalIdCommand,
} from '@childledger/registry';
import { readCorrelationId, CurrentUser, ApiPurpose, Purpose, ReadPurpose, ReadAuditWriter, Roles } from '@childledger/platform';
import type { AuthenticatedUser } from '@childledger/platform';
import type { SpecialCircumstanceGroup } from '@childledger/domain';
import { AuthenticatedRequest, CommandResponder, etagOf } from '../http/command-responder';
import { CommandHeaders, CommandResponses } from '../http/openapi';
import {
  ChangeResidenceDto,
  ChildIdParams,
  CorrectChildDetailsDto,
  EmptyDto,
  EndSpecialCircumstanceDto,
  GroupParams,
  IdentifyRiskDto,
  IdentifySpecialCircumstanceDto,
  LinkNationalIdDto,
  MergeChildRecordsDto,
  ReasonDto,
  RegisterChildDto,
  RequestIdentityReviewDto,
  ResolveRiskDto,
} from './dto/child.dto';

/** Unset optional values stay out of the command (`null` from JSON means "not given" here). */
function given<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/**
 * Child records: registration and every later change, each a command on the child's stream.
 * Controllers map the DTO to the domain command's data; the handler does the rest. Erasure
 * (`POST /children/{id}/erasure`) is served by the ErasureController (erasure/), which appends the
 * event and then destroys the child's data key (crypto-shredding).
 */
@ApiTags('children')
@ApiBearerAuth()
@Controller('children')
export class ChildrenController {
  constructor(
    private readonly responder: CommandResponder,
    private readonly context: DomainContextFactory,
    private readonly reader: RegistryReader,
    private readonly readAudit: ReadAuditWriter,
  ) {}

  @Post()
  @Roles(...COMMAND_ROLES.RegisterChild)
  @ApiOperation({ summary: 'Register a child (ChildRegistered)' })
  @CommandHeaders()
  @CommandResponses(HttpStatus.CREATED)
  async register(@Body() dto: RegisterChildDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<CommandResponseBody> {
    const childId = dto.childId ?? randomUUID();
    const body = await this.responder.run(
      req,
      res,
      HttpStatus.CREATED,
      (request) =>
        new RegisterChildCommand(
          childId,
          {
            childId,
            fullName: dto.fullName,
            dateOfBirth: dto.dateOfBirth,
            sex: dto.sex,
            personalId: given(dto.personalId),
            residence: { communeCode: dto.residence.communeCode, effectiveFrom: dto.residence.effectiveFrom },
            motherName: given(dto.motherName),
            fatherName: given(dto.fatherName),
            notes: given(dto.notes),
          },
          request,
          this.context.create(),
        ),
    );
    res.setHeader('Location', `/api/v1/children/${body.id}`);
    return body;
  }

  @Get(':childId')
  @Roles(...READ_ROLES)
  @ApiOperation({
    summary:
      "A child's record as of now, folded from its events; the ETag is its revision. Needs a purpose, and is written to the read audit before it is returned",
  })
  @ApiPurpose()
  @ApiResponse({ status: 200, description: 'The record, with `revision`', type: ChildStateDto })
  @ApiResponse({ status: 400, description: 'No purpose, or one not in the list (field purpose)' })
  @ApiResponse({ status: 404, description: 'No such child, or one outside your jurisdiction (the same answer)' })
  async get(
    @Param() params: ChildIdParams,
    @CurrentUser() user: AuthenticatedUser,
    @ReadPurpose() purpose: Purpose,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    const { state, revision } = await this.reader.child(params.childId, user);
    // The read policy: the read is in the read audit before the record leaves.
    await this.readAudit.record(user, {
      purpose,
      resourceType: 'child',
      resourceId: params.childId,
      childId: params.childId,
      view: 'current',
      correlationId: readCorrelationId(req),
    });
    res.setHeader('ETag', etagOf(revision));
    return { ...state, revision };
  }

  @Post(':childId/corrections')
  @Roles(...COMMAND_ROLES.CorrectChildDetails)
  @ApiOperation({ summary: 'Correct personal details, with a reason (ChildDetailsCorrected)' })
  @CommandHeaders()
  @CommandResponses()
  correct(@Param() p: ChildIdParams, @Body() dto: CorrectChildDetailsDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    const c = dto.changes;
    const changes = Object.fromEntries(
      (['fullName', 'dateOfBirth', 'sex', 'personalId', 'motherName', 'fatherName', 'notes'] as const).filter((k) => c[k] !== undefined).map((k) => [k, c[k]]),
    );
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) => new CorrectChildDetailsCommand(p.childId, { changes, reason: dto.reason }, request, this.context.create()),
    );
  }

  @Post(':childId/residence-changes')
  @Roles(...COMMAND_ROLES.ChangeResidence)
  @ApiOperation({ summary: 'Record a move to another commune (ResidenceChanged)' })
  @CommandHeaders()
  @CommandResponses()
  changeResidence(@Param() p: ChildIdParams, @Body() dto: ChangeResidenceDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) => new ChangeResidenceCommand(p.childId, { communeCode: dto.communeCode, effectiveFrom: dto.effectiveFrom }, request, this.context.create()),
    );
  }

  @Post(':childId/special-circumstances')
  @Roles(...COMMAND_ROLES.IdentifySpecialCircumstance)
  @ApiOperation({ summary: 'The child entered a group of special circumstances (SpecialCircumstanceIdentified)' })
  @CommandHeaders()
  @CommandResponses()
  identifyCircumstance(
    @Param() p: ChildIdParams,
    @Body() dto: IdentifySpecialCircumstanceDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) => new IdentifySpecialCircumstanceCommand(p.childId, { group: dto.group, effectiveFrom: dto.effectiveFrom }, request, this.context.create()),
    );
  }

  @Post(':childId/special-circumstances/:group/end')
  @Roles(...COMMAND_ROLES.EndSpecialCircumstance)
  @ApiOperation({ summary: 'The child left a group of special circumstances (SpecialCircumstanceEnded)' })
  @CommandHeaders()
  @CommandResponses()
  endCircumstance(
    @Param() p: GroupParams,
    @Body() dto: EndSpecialCircumstanceDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) =>
        new EndSpecialCircumstanceCommand(
          p.childId,
          { group: p.group, effectiveTo: dto.effectiveTo, reason: given(dto.reason) },
          request,
          this.context.create(),
        ),
    );
  }

  @Post(':childId/risks')
  @Roles(...COMMAND_ROLES.IdentifyRisk)
  @ApiOperation({ summary: 'The child is at risk of falling into a group (RiskIdentified)' })
  @CommandHeaders()
  @CommandResponses()
  identifyRisk(@Param() p: ChildIdParams, @Body() dto: IdentifyRiskDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) =>
        new IdentifyRiskCommand(
          p.childId,
          { group: dto.group, effectiveFrom: dto.effectiveFrom, description: given(dto.description) },
          request,
          this.context.create(),
        ),
    );
  }

  @Post(':childId/risks/:group/resolve')
  @Roles(...COMMAND_ROLES.ResolveRisk)
  @ApiOperation({ summary: 'A risk was resolved (RiskResolved)' })
  @CommandHeaders()
  @CommandResponses()
  resolveRisk(@Param() p: GroupParams, @Body() dto: ResolveRiskDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) =>
        new ResolveRiskCommand(
          p.childId,
          { group: p.group as SpecialCircumstanceGroup, effectiveTo: dto.effectiveTo, outcome: dto.outcome },
          request,
          this.context.create(),
        ),
    );
  }

  @Post(':childId/national-id')
  @Roles(...COMMAND_ROLES.LinkNationalId)
  @ApiOperation({ summary: 'Link the record to a national personal ID (NationalIdLinked)' })
  @CommandHeaders()
  @CommandResponses()
  linkNationalId(@Param() p: ChildIdParams, @Body() dto: LinkNationalIdDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) =>
        new LinkNationalIdCommand(
          p.childId,
          { personalId: dto.personalId, source: 'officer', matchScore: given(dto.matchScore) },
          request,
          this.context.create(),
        ),
    );
  }

  @Post(':childId/national-id/unlink')
  @Roles(...COMMAND_ROLES.UnlinkNationalId)
  @ApiOperation({ summary: 'Remove a wrong link, with a reason (NationalIdUnlinked)' })
  @CommandHeaders()
  @CommandResponses()
  unlinkNationalId(@Param() p: ChildIdParams, @Body() dto: ReasonDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) => new UnlinkNationalIdCommand(p.childId, { reason: dto.reason }, request, this.context.create()),
    );
  }

  @Post(':childId/identity-reviews')
  @Roles(...COMMAND_ROLES.RequestIdentityReview)
  @ApiOperation({ summary: 'Ask for a decision on which national record is this child (IdentityReviewRequested)' })
  @CommandHeaders()
  @CommandResponses()
  requestIdentityReview(
    @Param() p: ChildIdParams,
    @Body() dto: RequestIdentityReviewDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) =>
        new RequestIdentityReviewCommand(
          p.childId,
          { source: 'officer', reason: dto.reason, candidateCount: given(dto.candidateCount) },
          request,
          this.context.create(),
        ),
    );
  }

  @Post(':childId/no-national-record')
  @Roles(...COMMAND_ROLES.RecordNoNationalRecord)
  @ApiOperation({ summary: 'Record that no national record exists for the child: a finding (NoNationalRecordFound)' })
  @CommandHeaders()
  @CommandResponses()
  recordNoNationalRecord(@Param() p: ChildIdParams, @Body() _dto: EmptyDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) => new RecordNoNationalRecordCommand(p.childId, { source: 'officer' }, request, this.context.create()),
    );
  }

  @Post(':childId/merge')
  @Roles(...COMMAND_ROLES.MergeChildRecords)
  @ApiOperation({ summary: 'Merge this duplicate record into a surviving one (ChildRecordsMerged)' })
  @CommandHeaders()
  @CommandResponses()
  merge(@Param() p: ChildIdParams, @Body() dto: MergeChildRecordsDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) => new MergeChildRecordsCommand(p.childId, { survivingChildId: dto.survivingChildId, reason: dto.reason }, request, this.context.create()),
    );
  }

  @Post(':childId/merge/revert')
  @Roles(...COMMAND_ROLES.RevertMerge)
  @ApiOperation({ summary: 'Revert a merge (ChildRecordsMergeReverted)' })
  @CommandHeaders()
  @CommandResponses()
  revertMerge(@Param() p: ChildIdParams, @Body() dto: ReasonDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(req, res, HttpStatus.OK, (request) => new RevertMergeCommand(p.childId, { reason: dto.reason }, request, this.context.create()));
  }
}

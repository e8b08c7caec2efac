import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CaseStateDto, RECORD_EXTRA_MODELS } from '../http/records.dto';
import type { Response } from 'express';
import { CASE_CONTENT_ROLES, readCorrelationId, CurrentUser, ApiPurpose, Purpose, ReadPurpose, ReadAuditWriter, Roles } from '@childledger/platform';
import type { AuthenticatedUser } from '@childledger/platform';
import {
  AssessCaseCommand,
  AssignCaseCommand,
  CloseCaseCommand,
  COMMAND_ROLES,
  CommandResponseBody,
  DeliverInterventionCommand,
  DomainContextFactory,
  OpenCaseCommand,
  PlanInterventionCommand,
  ReferCaseCommand,
  RegistryReader,
  ReopenCaseCommand,
  ReviewCaseCommand,
} from '@childledger/registry';
import { AuthenticatedRequest, CommandResponder, etagOf } from '../http/command-responder';
import { CommandHeaders, CommandResponses } from '../http/openapi';
import {
  AssessCaseDto,
  AssignCaseDto,
  CaseIdParams,
  CloseCaseDto,
  DeliverInterventionDto,
  InterventionParams,
  OpenCaseDto,
  PlanInterventionDto,
  ReferCaseDto,
  ReopenCaseDto,
  ReviewCaseDto,
} from './dto/case.dto';

/** Protection cases: report received → assessed → planned → implementing → reviewed → closed (reopenable). */
@ApiTags('cases')
@ApiBearerAuth()
@ApiExtraModels(...RECORD_EXTRA_MODELS)
@Controller('cases')
export class CasesController {
  constructor(
    private readonly responder: CommandResponder,
    private readonly context: DomainContextFactory,
    private readonly reader: RegistryReader,
    private readonly readAudit: ReadAuditWriter,
  ) {}

  @Post()
  @Roles(...COMMAND_ROLES.OpenCase)
  @ApiOperation({ summary: 'Open a protection case for a registered child (CaseOpened)' })
  @CommandHeaders()
  @CommandResponses(HttpStatus.CREATED)
  async open(@Body() dto: OpenCaseDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<CommandResponseBody> {
    const caseId = dto.caseId ?? randomUUID();
    const body = await this.responder.run(
      req,
      res,
      HttpStatus.CREATED,
      (request) =>
        new OpenCaseCommand(
          caseId,
          {
            caseId,
            childId: dto.childId,
            channel: dto.channel,
            concern: dto.concern,
            protectionLevel: dto.protectionLevel,
            reportedAt: dto.reportedAt,
            ...(dto.description ? { description: dto.description } : {}),
          },
          request,
          this.context.create(),
        ),
    );
    res.setHeader('Location', `/api/v1/cases/${body.id}`);
    return body;
  }

  @Get(':caseId')
  @Roles(...CASE_CONTENT_ROLES)
  @ApiOperation({
    summary:
      'A case as of now, folded from its events; the ETag is its revision. Case workers, inspectors and admins; needs a purpose, and is written to the read audit before it is returned',
  })
  @ApiPurpose()
  @ApiResponse({ status: 200, description: 'The case, with `revision`', type: CaseStateDto })
  @ApiResponse({ status: 400, description: 'No purpose, or one not in the list (field purpose)' })
  @ApiResponse({ status: 403, description: 'A role that does not see case content (data officers)' })
  @ApiResponse({ status: 404, description: 'No such case, or one whose child lives outside your jurisdiction (the same answer)' })
  async get(
    @Param() p: CaseIdParams,
    @CurrentUser() user: AuthenticatedUser,
    @ReadPurpose() purpose: Purpose,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    const { state, revision } = await this.reader.case(p.caseId, user);
    await this.readAudit.record(user, {
      purpose,
      resourceType: 'case',
      resourceId: p.caseId,
      childId: state.childId,
      view: 'current',
      correlationId: readCorrelationId(req),
    });
    res.setHeader('ETag', etagOf(revision));
    return { ...state, revision };
  }

  @Post(':caseId/assessment')
  @Roles(...COMMAND_ROLES.AssessCase)
  @ApiOperation({ summary: 'Initial assessment (CaseAssessed)' })
  @CommandHeaders()
  @CommandResponses()
  assess(@Param() p: CaseIdParams, @Body() dto: AssessCaseDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) => new AssessCaseCommand(p.caseId, { riskLevel: dto.riskLevel, ...(dto.notes ? { notes: dto.notes } : {}) }, request, this.context.create()),
    );
  }

  @Post(':caseId/interventions')
  @Roles(...COMMAND_ROLES.PlanIntervention)
  @ApiOperation({ summary: 'Plan a support or intervention service (InterventionPlanned)' })
  @CommandHeaders()
  @CommandResponses()
  plan(@Param() p: CaseIdParams, @Body() dto: PlanInterventionDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    const interventionId = dto.interventionId ?? randomUUID();
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) =>
        new PlanInterventionCommand(
          p.caseId,
          { interventionId, serviceType: dto.serviceType, provider: dto.provider, plannedStart: dto.plannedStart, plannedEnd: dto.plannedEnd },
          request,
          this.context.create(),
        ),
    );
  }

  @Post(':caseId/interventions/:interventionId/deliveries')
  @Roles(...COMMAND_ROLES.DeliverIntervention)
  @ApiOperation({ summary: 'Record that a planned intervention was delivered (InterventionDelivered)' })
  @CommandHeaders()
  @CommandResponses()
  deliver(@Param() p: InterventionParams, @Body() dto: DeliverInterventionDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) =>
        new DeliverInterventionCommand(
          p.caseId,
          { interventionId: p.interventionId, deliveredOn: dto.deliveredOn, ...(dto.notes ? { notes: dto.notes } : {}) },
          request,
          this.context.create(),
        ),
    );
  }

  @Post(':caseId/referrals')
  @Roles(...COMMAND_ROLES.ReferCase)
  @ApiOperation({ summary: 'Refer the case to another sector (CaseReferred)' })
  @CommandHeaders()
  @CommandResponses()
  refer(@Param() p: CaseIdParams, @Body() dto: ReferCaseDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) => new ReferCaseCommand(p.caseId, { sector: dto.sector, referredTo: dto.referredTo, reason: dto.reason }, request, this.context.create()),
    );
  }

  @Post(':caseId/reviews')
  @Roles(...COMMAND_ROLES.ReviewCase)
  @ApiOperation({ summary: 'Review the case (CaseReviewed)' })
  @CommandHeaders()
  @CommandResponses()
  review(@Param() p: CaseIdParams, @Body() dto: ReviewCaseDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) =>
        new ReviewCaseCommand(
          p.caseId,
          { ...(dto.riskLevel ? { riskLevel: dto.riskLevel } : {}), ...(dto.notes ? { notes: dto.notes } : {}) },
          request,
          this.context.create(),
        ),
    );
  }

  @Post(':caseId/closure')
  @Roles(...COMMAND_ROLES.CloseCase)
  @ApiOperation({ summary: 'Close the case with its outcome (CaseClosed)' })
  @CommandHeaders()
  @CommandResponses()
  close(@Param() p: CaseIdParams, @Body() dto: CloseCaseDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(req, res, HttpStatus.OK, (request) => new CloseCaseCommand(p.caseId, { outcome: dto.outcome }, request, this.context.create()));
  }

  @Post(':caseId/assignment')
  @Roles(...COMMAND_ROLES.AssignCase)
  @ApiOperation({
    summary:
      'Give the case to a case worker, or reassign it (CaseAssigned: who assigned whom, when). No assigneeId: take it yourself. ' +
      'Send If-Match with the revision you saw: if the case changed since (someone else took it), the answer is a conflict, not a silent reassignment',
  })
  @CommandHeaders()
  @CommandResponses()
  assign(@Param() p: CaseIdParams, @Body() dto: AssignCaseDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(
      req,
      res,
      HttpStatus.OK,
      (request) =>
        new AssignCaseCommand(p.caseId, { assigneeId: dto.assigneeId ?? request.user.userId, assignedBy: request.user.userId }, request, this.context.create()),
    );
  }

  @Post(':caseId/reopening')
  @Roles(...COMMAND_ROLES.ReopenCase)
  @ApiOperation({ summary: 'Reopen a closed case, with a reason (CaseReopened)' })
  @CommandHeaders()
  @CommandResponses()
  reopen(@Param() p: CaseIdParams, @Body() dto: ReopenCaseDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.responder.run(req, res, HttpStatus.OK, (request) => new ReopenCaseCommand(p.caseId, { reason: dto.reason }, request, this.context.create()));
  }
}

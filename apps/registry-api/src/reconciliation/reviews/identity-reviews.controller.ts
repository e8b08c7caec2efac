import { Body, Controller, Get, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiPurpose, AuthenticatedUser, CurrentUser, Purpose, ReadAuditWriter, ReadPurpose, readCorrelationId, Roles } from '@childledger/platform';
import type { CommandResponseBody } from '@childledger/registry';
import type { AuthenticatedRequest } from '../../http/command-responder';
import { CommandHeaders, CommandResponses } from '../../http/openapi';
import {
  AcceptIdentityCandidateDto,
  IdentityReviewDecisionDto,
  IdentityReviewDto,
  IdentityReviewParamsDto,
  IdentityReviewQueueDto,
  IdentityReviewQueueQueryDto,
} from './identity-reviews.dto';
import { IdentityReviewsService } from './identity-reviews.service';

/** Identity reviews: which national record is this child. Decisions take If-Match and Idempotency-Key like every other command. */
@ApiTags('reconciliation')
@ApiBearerAuth()
@Roles('data_officer', 'admin')
@Controller('reconciliation/reviews')
export class IdentityReviewsController {
  constructor(
    private readonly reviews: IdentityReviewsService,
    private readonly readAudit: ReadAuditWriter,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your queue of open identity reviews, oldest first, by the commune the child lives in now; keyset-paged. No personal data' })
  @ApiOkResponse({ type: IdentityReviewQueueDto })
  queue(@CurrentUser() user: AuthenticatedUser, @Query() q: IdentityReviewQueueQueryDto): Promise<IdentityReviewQueueDto> {
    return this.reviews.queue(user, q);
  }

  @Get(':childId')
  @ApiOperation({
    summary:
      'One review: the record and each candidate field by field, with agreement, weight and probability. Needs a purpose; written to the read audit before it is returned',
  })
  @ApiPurpose()
  @ApiOkResponse({ type: IdentityReviewDto })
  @ApiNotFoundResponse({ description: 'No open review for this child, or a child outside your jurisdiction (the same answer)' })
  async review(
    @Param() p: IdentityReviewParamsDto,
    @CurrentUser() user: AuthenticatedUser,
    @ReadPurpose() purpose: Purpose,
    @Req() req: AuthenticatedRequest,
  ): Promise<IdentityReviewDto> {
    const review = await this.reviews.review(user, p.childId);
    await this.readAudit.record(user, {
      purpose,
      resourceType: 'child',
      resourceId: p.childId,
      childId: p.childId,
      view: 'identity_review',
      correlationId: readCorrelationId(req),
    });
    return review;
  }

  @Post(':childId/accept')
  @ApiOperation({ summary: 'This candidate is the child: link the number (NationalIdLinked, source officer), with a reason' })
  @CommandHeaders()
  @CommandResponses()
  accept(
    @Param() p: IdentityReviewParamsDto,
    @Body() body: AcceptIdentityCandidateDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResponseBody> {
    return this.reviews.accept({ req, res }, p.childId, body.personalId, body.reason);
  }

  @Post(':childId/reject')
  @ApiOperation({ summary: 'None of the candidates is this child (NoNationalRecordFound, source officer, review rejected_all), with a reason' })
  @CommandHeaders()
  @CommandResponses(HttpStatus.OK)
  reject(
    @Param() p: IdentityReviewParamsDto,
    @Body() body: IdentityReviewDecisionDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResponseBody> {
    return this.reviews.noneOfThem({ req, res }, p.childId, 'rejected_all', body.reason);
  }

  @Post(':childId/no-national-record')
  @ApiOperation({
    summary: 'The child has no record in the national population database (NoNationalRecordFound, source officer, review no_national_record), with a reason',
  })
  @CommandHeaders()
  @CommandResponses(HttpStatus.OK)
  noNationalRecord(
    @Param() p: IdentityReviewParamsDto,
    @Body() body: IdentityReviewDecisionDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResponseBody> {
    return this.reviews.noneOfThem({ req, res }, p.childId, 'no_national_record', body.reason);
  }
}

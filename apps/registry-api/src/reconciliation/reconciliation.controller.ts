import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthenticatedUser, CurrentUser, Roles } from '@childledger/platform';
import type { AuthenticatedRequest } from '../http/command-responder';
import { CommandHeaders } from '../http/openapi';
import { AcceptCandidateDto, ChildParamsDto, MergeDto, ReasonBodyDto } from './reconciliation.dto';
import { ReconciliationHandlers } from './reconciliation.handlers';

/** Data officers reconcile records with the national population database and with each other. Commands take If-Match and Idempotency-Key like every other command. */
@ApiTags('reconciliation')
@ApiBearerAuth()
@Roles('data_officer', 'admin')
@Controller('reconciliation')
export class ReconciliationController {
  constructor(private readonly handlers: ReconciliationHandlers) {}

  @Get('reviews')
  @ApiOperation({ summary: 'Open identity reviews in your jurisdiction, with ranked candidates, scores and per-field explanations' })
  async reviews(@CurrentUser() user: AuthenticatedUser) {
    return { reviews: await this.handlers.reviewQueue(user) };
  }

  @Post('reviews/:childId/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Link the child to one of the candidates (NationalIdLinked, source officer)' })
  @CommandHeaders()
  accept(@Param() p: ChildParamsDto, @Body() body: AcceptCandidateDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.handlers.acceptCandidate({ req, res }, p.childId, body.personalId, body.reason);
  }

  @Post('reviews/:childId/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'None of the candidates is this child (NoNationalRecordFound, source officer)' })
  @CommandHeaders()
  reject(@Param() p: ChildParamsDto, @Body() body: ReasonBodyDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.handlers.rejectAll({ req, res }, p.childId, body.reason);
  }

  @Post('children/:childId/unlink')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a wrong link (NationalIdUnlinked)' })
  @CommandHeaders()
  unlink(@Param() p: ChildParamsDto, @Body() body: ReasonBodyDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.handlers.unlink({ req, res }, p.childId, body.reason);
  }

  @Get('duplicates')
  @ApiOperation({ summary: 'Likely duplicate child records in your jurisdiction (ids, communes, scores, explanations)' })
  async duplicates(@CurrentUser() user: AuthenticatedUser) {
    return { pairs: await this.handlers.duplicates(user) };
  }

  @Post('merges')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merge a duplicate into the surviving record (ChildRecordsMerged on the duplicate)' })
  @CommandHeaders()
  merge(@Body() body: MergeDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.handlers.merge({ req, res }, body.duplicateChildId, body.survivingChildId, body.reason);
  }

  @Post('merges/:childId/revert')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revert a merge (ChildRecordsMergeReverted)' })
  @CommandHeaders()
  revert(@Param() p: ChildParamsDto, @Body() body: ReasonBodyDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.handlers.revertMerge({ req, res }, p.childId, body.reason);
  }
}

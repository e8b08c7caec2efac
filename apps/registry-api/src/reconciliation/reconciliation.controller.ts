import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@childledger/platform';
import { AcceptCandidateDto, ChildParamsDto, MergeDto, ReasonBodyDto } from './reconciliation.dto';
import { ReconciliationHandlers } from './reconciliation.handlers';

type RequestWithId = { id?: string };
const correlationOf = (req: RequestWithId) => String(req.id ?? 'unknown');

/** Data officers reconcile records with the national population database and with each other. */
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
  accept(@CurrentUser() user: AuthenticatedUser, @Param() p: ChildParamsDto, @Body() body: AcceptCandidateDto, @Req() req: RequestWithId) {
    return this.handlers.acceptCandidate(user, p.childId, body.personalId, body.reason, correlationOf(req));
  }

  @Post('reviews/:childId/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'None of the candidates is this child (NoNationalRecordFound, source officer)' })
  reject(@CurrentUser() user: AuthenticatedUser, @Param() p: ChildParamsDto, @Body() body: ReasonBodyDto, @Req() req: RequestWithId) {
    return this.handlers.rejectAll(user, p.childId, body.reason, correlationOf(req));
  }

  @Post('children/:childId/unlink')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a wrong link (NationalIdUnlinked)' })
  unlink(@CurrentUser() user: AuthenticatedUser, @Param() p: ChildParamsDto, @Body() body: ReasonBodyDto, @Req() req: RequestWithId) {
    return this.handlers.unlink(user, p.childId, body.reason, correlationOf(req));
  }

  @Get('duplicates')
  @ApiOperation({ summary: 'Likely duplicate child records in your jurisdiction (ids, communes, scores, explanations)' })
  async duplicates(@CurrentUser() user: AuthenticatedUser) {
    return { pairs: await this.handlers.duplicates(user) };
  }

  @Post('merges')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merge a duplicate into the surviving record (ChildRecordsMerged on the duplicate)' })
  merge(@CurrentUser() user: AuthenticatedUser, @Body() body: MergeDto, @Req() req: RequestWithId) {
    return this.handlers.merge(user, body.duplicateChildId, body.survivingChildId, body.reason, correlationOf(req));
  }

  @Post('merges/:childId/revert')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revert a merge (ChildRecordsMergeReverted)' })
  revert(@CurrentUser() user: AuthenticatedUser, @Param() p: ChildParamsDto, @Body() body: ReasonBodyDto, @Req() req: RequestWithId) {
    return this.handlers.revertMerge(user, p.childId, body.reason, correlationOf(req));
  }
}

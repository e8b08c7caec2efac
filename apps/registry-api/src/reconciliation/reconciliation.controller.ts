import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '@childledger/platform';
// Identity reviews (queue, review, accept, reject, no national record): reviews/identity-reviews.controller.ts.
import type { AuthenticatedRequest } from '../http/command-responder';
import { CommandHeaders, CommandResponses } from '../http/openapi';
import { ChildParamsDto, MergeDto, ReasonBodyDto } from './reconciliation.dto';
import { ReconciliationHandlers } from './reconciliation.handlers';

/** Data officers reconcile records with the national population database and with each other. Commands take If-Match and Idempotency-Key like every other command. */
@ApiTags('reconciliation')
@ApiBearerAuth()
@Roles('data_officer', 'admin')
@Controller('reconciliation')
export class ReconciliationController {
  constructor(private readonly handlers: ReconciliationHandlers) {}

  @Post('children/:childId/unlink')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a wrong link (NationalIdUnlinked)' })
  @CommandHeaders()
  @CommandResponses()
  unlink(@Param() p: ChildParamsDto, @Body() body: ReasonBodyDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.handlers.unlink({ req, res }, p.childId, body.reason);
  }

  // The stored list of duplicates, a pair, not the same child, the merges in force: duplicates/duplicates.controller.ts.

  @Post('merges')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merge a duplicate into the surviving record (ChildRecordsMerged on the duplicate)' })
  @CommandHeaders()
  @CommandResponses()
  merge(@Body() body: MergeDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.handlers.merge({ req, res }, body.duplicateChildId, body.survivingChildId, body.reason);
  }

  @Post('merges/:childId/revert')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revert a merge (ChildRecordsMergeReverted)' })
  @CommandHeaders()
  @CommandResponses()
  revert(@Param() p: ChildParamsDto, @Body() body: ReasonBodyDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.handlers.revertMerge({ req, res }, p.childId, body.reason);
  }
}

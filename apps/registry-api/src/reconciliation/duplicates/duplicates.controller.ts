import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiPurpose, AuthenticatedUser, CurrentUser, Purpose, readCorrelationId, ReadPurpose, Roles } from '@childledger/platform';
import type { AuthenticatedRequest } from '../../http/command-responder';
import { CommandHeaders, CommandResultDto } from '../../http/openapi';
import { DuplicatePairDto, DuplicatePairParamsDto, DuplicatePairsPageDto, DuplicatesPageQueryDto, MergesPageDto, NotSameChildDto } from './duplicates.dto';
import { DuplicatesService } from './duplicates.service';

/** The stored list of likely duplicates, a pair side by side, "not the same child", and the merges in force (merge and revert: reconciliation.controller.ts). */
@ApiTags('reconciliation')
@ApiBearerAuth()
@Roles('data_officer', 'admin')
@Controller('reconciliation')
export class DuplicatesController {
  constructor(private readonly duplicates: DuplicatesService) {}

  @Get('duplicates')
  @ApiOperation({ summary: 'Likely duplicate records in your jurisdiction, most likely first (ids, communes, scores; no personal data), paged' })
  @ApiOkResponse({ type: DuplicatePairsPageDto })
  list(@CurrentUser() user: AuthenticatedUser, @Query() q: DuplicatesPageQueryDto): Promise<DuplicatePairsPageDto> {
    return this.duplicates.list(user, q.limit, q.after);
  }

  @Get('duplicates/:childId/:otherChildId')
  @ApiOperation({ summary: 'One pair side by side, field by field, with the per-field comparison. Needs a purpose; written to the read audit first' })
  @ApiPurpose()
  @ApiOkResponse({ type: DuplicatePairDto })
  pair(
    @Param() p: DuplicatePairParamsDto,
    @CurrentUser() user: AuthenticatedUser,
    @ReadPurpose() purpose: Purpose,
    @Req() req: AuthenticatedRequest,
  ): Promise<DuplicatePairDto> {
    return this.duplicates.pair(user, p.childId, p.otherChildId, purpose, readCorrelationId(req));
  }

  @Post('duplicates/:childId/:otherChildId/not-same')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decide that the two records are not the same child (ChildRecordsNotDuplicates, with the reason); the pair never comes back' })
  @CommandHeaders()
  @ApiOkResponse({ type: CommandResultDto })
  notSame(@Param() p: DuplicatePairParamsDto, @Body() body: NotSameChildDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    return this.duplicates.notSame(req, res, p.childId, p.otherChildId, body.reason);
  }

  @Get('merges')
  @ApiOperation({ summary: 'Merges in force in your jurisdiction (duplicate, surviving record, when), newest first, paged' })
  @ApiOkResponse({ type: MergesPageDto })
  merges(@CurrentUser() user: AuthenticatedUser, @Query() q: DuplicatesPageQueryDto): Promise<MergesPageDto> {
    return this.duplicates.merges(user, q.limit, q.after);
  }
}

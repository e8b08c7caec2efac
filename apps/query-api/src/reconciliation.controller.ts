import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdministrativeUnits } from '@childledger/admin-units';
import { AuthenticatedUser, CurrentUser, Roles } from '@childledger/platform';
import { ReconciliationQueueQueries } from '@childledger/read-models';
import { RECONCILIATION_ROLES, requireUnitInJurisdiction } from './access';
import { decodeCursor, INSTANT, page, pageLimit } from './keyset';
import { ADMIN_UNITS } from './tokens';

/** The queue's sort key in a cursor: requested_at (UTC, microseconds), child_id, reason. */
const QUEUE_CURSOR = [INSTANT, null, null] as const;

/** Children waiting for a data officer's decision: identity reviews, no national record found, a split old commune. No personal data. */
@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('reconciliation-queue')
export class ReconciliationController {
  constructor(
    private readonly queue: ReconciliationQueueQueries,
    @Inject(ADMIN_UNITS) private readonly units: AdministrativeUnits,
  ) {}

  @Get()
  @Roles(...RECONCILIATION_ROLES)
  @ApiQuery({ name: 'unit', required: true, description: 'province (2 digits) or commune (5 digits) in force today' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` cursor of the previous page' })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query('unit') unit: string | undefined,
    @Query('limit') limitQuery: string | undefined,
    @Query('after') after: string | undefined,
  ) {
    if (!unit || !/^(\d{2}|\d{5})$/.test(unit))
      throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
    const limit = pageLimit(limitQuery);
    requireUnitInJurisdiction(user, unit, unit.length === 2 ? unit : (this.units.provinceOfCommune(unit, new Date()) ?? ''));
    let cursor: { requestedAt: string; childId: string; reason: string } | undefined;
    if (after !== undefined) {
      const [requestedAt, childId, reason] = decodeCursor(after, 'after', QUEUE_CURSOR) as [string, string, string];
      cursor = { requestedAt, childId, reason };
    }
    const found = await this.queue.entriesOfUnit(user, { unit, after: cursor, limit: limit + 1 });
    const { rows, next } = page(found, limit, (r) => [r.requested_key, r.child_id, r.reason]);
    return {
      unit,
      items: rows.map((r) => ({
        childId: r.child_id,
        reason: r.reason,
        source: r.source,
        detail: r.detail,
        candidateCount: r.candidate_count,
        requestedAt: r.requested_at,
        communeCode: r.commune_code,
      })),
      next,
    };
  }
}

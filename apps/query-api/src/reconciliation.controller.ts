import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdministrativeUnits } from '@childledger/admin-units';
import { AuthenticatedUser, CurrentUser, Roles } from '@childledger/platform';
import { ReconciliationQueueQueries } from '@childledger/read-models';
import { RECONCILIATION_ROLES, requireUnitInJurisdiction } from './access';
import { decodeCursor, INSTANT, page, pageLimit } from './keyset';
import { ADMIN_UNITS } from './tokens';

const QUEUE_REASONS = ['identity_review', 'no_national_record', 'residence_split', 'incomplete'] as const;

export class ReconciliationQueueEntryDto {
  @ApiProperty() childId!: string;
  @ApiProperty({ enum: QUEUE_REASONS }) reason!: string;
  @ApiProperty({ nullable: true, type: String, description: 'who asked: identity_adapter, officer, import, registration' }) source!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'incomplete: the fields to complete, comma-separated (sex, personalId); no personal data' })
  detail!: string | null;
  @ApiProperty({ nullable: true, type: Number }) candidateCount!: number | null;
  @ApiProperty({ type: String, format: 'date-time' }) requestedAt!: Date;
  @ApiProperty({ nullable: true, type: String }) communeCode!: string | null;
}

export class ReconciliationQueuePageDto {
  @ApiProperty() unit!: string;
  @ApiProperty({ type: [ReconciliationQueueEntryDto] }) items!: ReconciliationQueueEntryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as `after` for the next page; null on the last' }) next!: string | null;
}

/** The queue's sort key in a cursor: requested_at (UTC, microseconds), child_id, reason. */
const QUEUE_CURSOR = [INSTANT, null, null] as const;

/** Children waiting for a data officer's decision or work: identity reviews, no national record found, a split old commune, an incomplete record. No personal data. */
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
  @ApiQuery({ name: 'unit', required: true, type: String, description: 'province (2 digits) or commune (5 digits) in force today' })
  @ApiQuery({
    name: 'reason',
    required: false,
    enum: QUEUE_REASONS,
    description:
      'one kind of work: identity_review, no_national_record, residence_split, or incomplete (registered without a sex or with its personal ID kept aside)',
  })
  @ApiQuery({ name: 'limit', required: false, type: String, description: '1 to 500, default 100' })
  @ApiQuery({ name: 'after', required: false, type: String, description: 'the `next` cursor of the previous page' })
  @ApiOkResponse({ type: ReconciliationQueuePageDto })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Query('unit') unit: string | undefined,
    @Query('reason') reason: string | undefined,
    @Query('limit') limitQuery: string | undefined,
    @Query('after') after: string | undefined,
  ): Promise<ReconciliationQueuePageDto> {
    if (!unit || !/^(\d{2}|\d{5})$/.test(unit))
      throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
    if (reason !== undefined && !(QUEUE_REASONS as readonly string[]).includes(reason))
      throw new BadRequestException({ message: `reason must be one of ${QUEUE_REASONS.join(', ')}`, field: 'reason' });
    const limit = pageLimit(limitQuery);
    requireUnitInJurisdiction(user, unit, unit.length === 2 ? unit : (this.units.provinceOfCommune(unit, new Date()) ?? ''));
    let cursor: { requestedAt: string; childId: string; reason: string } | undefined;
    if (after !== undefined) {
      const [requestedAt, childId, reason] = decodeCursor(after, 'after', QUEUE_CURSOR) as [string, string, string];
      cursor = { requestedAt, childId, reason };
    }
    const found = await this.queue.entriesOfUnit(user, { unit, reason, after: cursor, limit: limit + 1 });
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

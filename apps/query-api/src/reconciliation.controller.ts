import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { AdministrativeUnits } from '@childledger/admin-units';
import { AuthenticatedUser, CurrentUser, PG_POOL, Roles } from '@childledger/platform';
import { RECONCILIATION_ROLES } from './access';
import { requireUnitInJurisdiction } from './access';
import { decodeCursor, INSTANT, jurisdictionSql, page, pageLimit, sqlInstant } from './keyset';
import { ADMIN_UNITS } from './tokens';

/** The queue's sort key in a cursor: requested_at (UTC, microseconds), child_id, reason. */
const QUEUE_CURSOR = [INSTANT, null, null] as const;

/** Children waiting for a data officer's decision: identity reviews, no national record found, a split old commune. No personal data. */
@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('reconciliation-queue')
export class ReconciliationController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(ADMIN_UNITS) private readonly units: AdministrativeUnits,
  ) {}

  @Get()
  @Roles(...RECONCILIATION_ROLES)
  @ApiQuery({ name: 'unit', required: true, description: 'province (2 digits) or commune (5 digits) in force today' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 100' })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` cursor of the previous page' })
  async list(@CurrentUser() user: AuthenticatedUser, @Query('unit') unit: string | undefined, @Query('limit') limitQuery: string | undefined, @Query('after') after: string | undefined) {
    if (!unit || !/^(\d{2}|\d{5})$/.test(unit)) throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
    const limit = pageLimit(limitQuery);
    requireUnitInJurisdiction(user, unit, unit.length === 2 ? unit : (this.units.provinceOfCommune(unit, new Date()) ?? ''));
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [`${unit.length === 2 ? 'province_code' : 'commune_code'} = ${p(unit)}`];
    const visible = jurisdictionSql(user, { province: 'province_code', commune: 'commune_code' }, p);
    if (visible) where.push(visible);
    if (after !== undefined) {
      const [at, childId, reason] = decodeCursor(after, 'after', QUEUE_CURSOR);
      where.push(`(requested_at, child_id, reason) > (${p(at)}::timestamptz, ${p(childId)}, ${p(reason)})`);
    }
    const res = await this.pool.query(
      `SELECT child_id, reason, source, detail, candidate_count, requested_at, ${sqlInstant('requested_at')} AS requested_key, commune_code
         FROM rm_reconciliation_queue WHERE ${where.join(' AND ')} ORDER BY requested_at, child_id, reason LIMIT ${p(limit + 1)}`,
      params,
    );
    const { rows, next } = page(res.rows, limit, (r) => [r.requested_key, r.child_id, r.reason]);
    return {
      unit,
      items: rows.map((r) => ({ childId: r.child_id, reason: r.reason, source: r.source, detail: r.detail, candidateCount: r.candidate_count, requestedAt: r.requested_at, communeCode: r.commune_code })),
      next,
    };
  }
}

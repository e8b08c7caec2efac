import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { AdministrativeUnits } from '@childledger/admin-units';
import { AuthenticatedUser, CurrentUser, PG_POOL, Roles } from '@childledger/platform';
import { mayAccess, RECONCILIATION_ROLES } from './access';
import { requireUnitInJurisdiction } from './access';
import { ADMIN_UNITS } from './tokens';

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
  async list(@CurrentUser() user: AuthenticatedUser, @Query('unit') unit: string | undefined) {
    if (!unit || !/^(\d{2}|\d{5})$/.test(unit)) throw new BadRequestException({ message: 'unit must be a province (2 digits) or commune (5 digits) code', field: 'unit' });
    requireUnitInJurisdiction(user, unit, unit.length === 2 ? unit : (this.units.provinceOfCommune(unit, new Date()) ?? ''));
    const column = unit.length === 2 ? 'province_code' : 'commune_code';
    const res = await this.pool.query(
      `SELECT child_id, reason, source, detail, candidate_count, requested_at, commune_code, province_code FROM rm_reconciliation_queue WHERE ${column} = $1 ORDER BY requested_at, child_id LIMIT 1000`,
      [unit],
    );
    const items = res.rows.filter((r) => mayAccess(user, r));
    return {
      unit,
      items: items.map((r) => ({ childId: r.child_id, reason: r.reason, source: r.source, detail: r.detail, candidateCount: r.candidate_count, requestedAt: r.requested_at, communeCode: r.commune_code })),
    };
  }
}

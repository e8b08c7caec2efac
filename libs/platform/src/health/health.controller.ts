import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Pool } from 'pg';
import type { SubscriptionStatusBoard } from '@childledger/event-store';
import { Public } from '../auth/auth.decorators';
import { PG_POOL, SUBSCRIPTION_STATUS } from '../tokens';

/** Liveness and readiness for orchestrators. The only endpoints that need no token. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SUBSCRIPTION_STATUS) private readonly subscriptions: SubscriptionStatusBoard,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      async () => {
        const check = this.indicators.check('database');
        try {
          await this.pool.query('SELECT 1');
          return check.up();
        } catch {
          return check.down({ message: 'database unreachable' });
        }
      },
      // A subscription that stopped on an error, or has been retrying or restarting for longer
      // than the board's stuckAfterMs, makes the service not ready (names and states only).
      async () => {
        const check = this.indicators.check('subscriptions');
        const problems = this.subscriptions.problems();
        const all = Object.fromEntries(this.subscriptions.all().map((s) => [s.name, s.state]));
        if (problems.length === 0) return check.up({ subscriptions: all });
        return check.down({
          message: problems.map((p) => `${p.name} ${p.state === 'failed' ? 'stopped on an error' : `${p.state} since ${p.since.toISOString()}`}`).join('; '),
          subscriptions: all,
        });
      },
    ]);
  }
}

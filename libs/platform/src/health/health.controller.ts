import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Pool } from 'pg';
import { Public } from '../auth/auth.decorators';
import { PG_POOL } from '../tokens';

/** Liveness and readiness for orchestrators. The only endpoints that need no token. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
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
    ]);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  computeIndicators,
  computeIndicatorSeries,
  IndicatorRequest,
  IndicatorResult,
  IndicatorSeriesResult,
  Period,
  ReferenceKind,
  ReferenceRow,
  storeReferenceVersion,
} from '../indicators';
import { READ_MODEL_POOL } from './tokens';

/** The indicators read model and its reference data (targets, child populations), for a service that holds no SQL. */
@Injectable()
export class IndicatorQueries {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  compute(req: IndicatorRequest): Promise<IndicatorResult> {
    return computeIndicators(this.pool, req);
  }

  series(req: IndicatorRequest, periods: readonly Period[]): Promise<IndicatorSeriesResult> {
    return computeIndicatorSeries(this.pool, req, periods);
  }

  storeReferenceVersion(kind: ReferenceKind, rows: readonly ReferenceRow[], loadedBy: string): Promise<number> {
    return storeReferenceVersion(this.pool, kind, rows, loadedBy);
  }
}

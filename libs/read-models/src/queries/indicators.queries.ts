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
  listReferenceVersions,
  referenceValuesInForce,
  referenceVersion,
  referenceVersionRows,
  ReferenceUploadInfo,
  ReferenceValueInForce,
  ReferenceVersion,
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

  storeReferenceVersion(kind: ReferenceKind, rows: readonly ReferenceRow[], by: string | ReferenceUploadInfo): Promise<number> {
    return storeReferenceVersion(this.pool, kind, rows, by);
  }

  referenceValuesInForce(kind: ReferenceKind, keys: readonly { unitCode: string; period: string; indicator: string }[]): Promise<ReferenceValueInForce[]> {
    return referenceValuesInForce(this.pool, kind, keys);
  }

  listReferenceVersions(kind: ReferenceKind, page: { limit: number; offset: number }): Promise<{ items: ReferenceVersion[]; total: number }> {
    return listReferenceVersions(this.pool, kind, page);
  }

  referenceVersion(kind: ReferenceKind, version: number): Promise<ReferenceVersion | null> {
    return referenceVersion(this.pool, kind, version);
  }

  referenceVersionRows(
    kind: ReferenceKind,
    version: number,
    unitCodes: readonly string[] | null,
    page: { limit: number; offset: number },
  ): Promise<{ rows: ReferenceRow[]; total: number }> {
    return referenceVersionRows(this.pool, kind, version, unitCodes, page);
  }
}

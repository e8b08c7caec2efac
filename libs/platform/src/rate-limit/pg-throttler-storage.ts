import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Pool } from 'pg';

interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * `@nestjs/throttler` storage in PostgreSQL (table `rate_limit_buckets`), so that every replica of a
 * service counts into the same buckets: a fixed window of `ttl` milliseconds aligned on the
 * database's clock (not the replica's), one upsert per request. A key over its limit stays refused
 * until its window ends (blockDuration is not used: the window is the block). Rows of past windows
 * are deleted at most once a minute per process, on a request.
 *
 * When the database cannot count (unreachable, table missing), the request goes through and a
 * warning is logged at most once a minute: the limit protects the service, it does not replace it.
 */
export class PgThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimits');
  private nextSweep = 0;
  private nextWarning = 0;

  constructor(
    private readonly pool: Pool,
    private readonly sweepEveryMs = 60_000,
  ) {}

  /** The interface's blockDuration and throttler name are not used: the window is the block, the name is in the key. */
  async increment(key: string, ttl: number, limit: number, _blockDuration?: number, _throttlerName?: string): Promise<ThrottlerStorageRecord> {
    try {
      await this.sweep();
      const { rows } = await this.pool.query<{ hits: number; seconds_left: number }>(
        `WITH w AS (SELECT date_bin($2::int * interval '1 millisecond', clock_timestamp(), timestamptz '1970-01-01 00:00:00+00') AS start)
         INSERT INTO rate_limit_buckets AS b (key, window_start, expires_at, hits)
         SELECT $1, w.start, w.start + $2::int * interval '1 millisecond', 1 FROM w
         ON CONFLICT (key, window_start) DO UPDATE SET hits = b.hits + 1
         RETURNING b.hits, greatest(1, ceil(extract(epoch FROM b.expires_at - clock_timestamp())))::int AS seconds_left`,
        [key, ttl],
      );
      const row = rows[0];
      if (!row) throw new Error('the upsert returned no row');
      const { hits, seconds_left: secondsLeft } = row;
      const isBlocked = hits > limit;
      return { totalHits: hits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
    } catch (err) {
      if (Date.now() >= this.nextWarning) {
        this.nextWarning = Date.now() + 60_000;
        this.logger.warn(`rate limits not counted (requests let through): ${(err as Error).message}`);
      }
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  private async sweep(): Promise<void> {
    if (Date.now() < this.nextSweep) return;
    this.nextSweep = Date.now() + this.sweepEveryMs;
    await this.pool.query('DELETE FROM rate_limit_buckets WHERE expires_at < clock_timestamp()');
  }
}

import { DATABASE_MIGRATIONS, MigrationClass } from '@childledger/database';
import { EVENT_STORE_MIGRATIONS } from '@childledger/event-store';
import { TRUST_MIGRATIONS } from '@childledger/trust';
import { RATE_LIMIT_MIGRATIONS } from '../rate-limit/1795480000000-create-rate-limit-buckets';

/**
 * The tables every service uses through the platform: the event store, the trust tables (data keys,
 * seals), the per-user rate limits and the roles. Each context's own tables are in its migration
 * project; the migration step's full list is `ALL_MIGRATIONS` in @childledger/migrations.
 */
export const PLATFORM_MIGRATIONS: MigrationClass[] = [...EVENT_STORE_MIGRATIONS, ...TRUST_MIGRATIONS, ...RATE_LIMIT_MIGRATIONS, ...DATABASE_MIGRATIONS];

export const PG_POOL = Symbol('PgPool');
export const PLATFORM_CONFIG = Symbol('PlatformConfig');
export const SERVICE_NAME = Symbol('ServiceName');
export { EVENT_STORE } from '@childledger/event-store';
/** The process's `SubscriptionStatusBoard` (@childledger/event-store): subscription workers report, readiness and metrics read. */
export const SUBSCRIPTION_STATUS = Symbol('SubscriptionStatus');

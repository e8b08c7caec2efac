export const PG_POOL = Symbol('PgPool');
export const PLATFORM_CONFIG = Symbol('PlatformConfig');
export const SERVICE_NAME = Symbol('ServiceName');
export { EVENT_STORE } from '@childledger/event-store';

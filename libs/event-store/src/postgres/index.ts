export * from './checkpoint';
export * from './postgres-event-store.adapter';
export * from './pg-checkpoint-store';
export { EVENTS_CHANNEL } from './wake-up';
export { CreateEventStore1732300000000 } from './migrations/1732300000000-create-event-store';
import { CreateEventStore1732300000000 } from './migrations/1732300000000-create-event-store';
export const EVENT_STORE_MIGRATIONS = [CreateEventStore1732300000000];

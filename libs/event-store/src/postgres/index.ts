export * from './checkpoint';
export * from './postgres-event-store.adapter';
export * from './pg-checkpoint-store';
export { EVENTS_CHANNEL } from './wake-up';
export { CreateEventStore1732300000000 } from './migrations/1732300000000-create-event-store';
import { CreateEventStore1732300000000 } from './migrations/1732300000000-create-event-store';
import { CreateSubscriptionDeadLetters1732300000001 } from './migrations/1732300000001-create-subscription-dead-letters';
export { CreateSubscriptionDeadLetters1732300000001 };
export const EVENT_STORE_MIGRATIONS = [CreateEventStore1732300000000, CreateSubscriptionDeadLetters1732300000001];

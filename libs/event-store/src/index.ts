export * from './event-store.port';
export * from './event-store.errors';
export * from './upcasters';
export * from './postgres';
export * from './eventstoredb';
export * from './decider/command-handler';
export * from './subscriptions';

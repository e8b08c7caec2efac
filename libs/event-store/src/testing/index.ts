export * from './event-store.conformance';
export * from './event-fixtures';

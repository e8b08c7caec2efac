export * from './domain-events';
export * from './file-sink';

export * from './pg-partner-feed';
export * from './pg-partner-projection';
export * from './pg-partner-directory';
export * from './pg-relay-checkpoints';
export * from './kafka-partner-sink';
export * from './pg-outbox-pruner';
export * from './leased-relay';
export * from './kafka-security';

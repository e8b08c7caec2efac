export * from './pg-throttler-storage';
export * from './user-throttler.guard';
export * from './trust-proxy';
export * from './1795480000000-create-rate-limit-buckets';

export * from './trust-test-kit';

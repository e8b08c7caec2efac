export * from './database-server';
export * from './database-admin';
export * from './migrations';
export * from './pool';
export * from './test-database';
export * from './transaction';
export * from './runtime-role';
export * from './leases';

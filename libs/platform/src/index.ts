export * from './config/load-config';
export * from './config/platform.config';
export * from './create-app';
export * from './logging/logger';
export * from './platform.module';
export * from './tokens';
export * from './database/platform-database';
export * from './cqrs/decider-command-handler';

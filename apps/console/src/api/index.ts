export * from './client';
export * from './errors';
export * from './ApiProvider';
export type { components as RegistrySchemas } from './generated/registry-api';
export type { components as QuerySchemas } from './generated/query-api';
export type { components as GatewaySchemas } from './generated/stream-gateway';

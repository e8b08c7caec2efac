export * from './client';
export * from './errors';
export * from './ApiProvider';
import type { components } from './generated/console-api';

/** One API's schemas of the console's merged document, by their names in that API (the merge prefixes them with the API's name). */
type SchemasOf<Prefix extends string> = {
  schemas: { [S in keyof components['schemas'] as S extends `${Prefix}${infer Name}` ? Name : never]: components['schemas'][S] };
};

export type RegistrySchemas = SchemasOf<'Registry_'>;
export type QuerySchemas = SchemasOf<'Query_'>;
export type GatewaySchemas = SchemasOf<'Gateway_'>;

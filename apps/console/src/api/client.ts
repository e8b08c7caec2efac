import createClient, { Client, Middleware } from 'openapi-fetch';
import type { paths as ConsolePaths } from './generated/console-api';

/** One API's paths of the console's merged document, without the prefix it has on the console's origin. */
type PathsUnder<Prefix extends string> = { [P in keyof ConsolePaths as P extends `${Prefix}${infer Rest}` ? Rest : never]: ConsolePaths[P] };

export type RegistryPaths = PathsUnder<'/registry'>;
export type QueryPaths = PathsUnder<'/query'>;
export type GatewayPaths = PathsUnder<'/gateway'>;

export type RegistryClient = Client<RegistryPaths>;
export type QueryClient = Client<QueryPaths>;
export type GatewayClient = Client<GatewayPaths>;

export interface ApiClients {
  /** The registry API (commands, a child's record, imports, reconciliation decisions), behind /registry. */
  registry: RegistryClient;
  /** The query API (read models: search, timelines, audit, indicators), behind /query. */
  query: QueryClient;
  /** The stream gateway's partner administration (agreements, client secrets), behind /gateway; admins only. */
  gateway: GatewayClient;
}

/**
 * Typed clients for the APIs, generated from their OpenAPI documents (`npm run openapi`): a request
 * or answer shape the API does not have does not compile. The APIs sit behind the console's own
 * origin (the console server proxies them), and every request carries the signed-in user's token.
 */
export function createApiClients(accessToken: () => string | null, origin: string = window.location.origin): ApiClients {
  const bearer: Middleware = {
    onRequest({ request }) {
      const token = accessToken();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
  const registry = createClient<RegistryPaths>({ baseUrl: `${origin}/registry` });
  const query = createClient<QueryPaths>({ baseUrl: `${origin}/query` });
  const gateway = createClient<GatewayPaths>({ baseUrl: `${origin}/gateway` });
  registry.use(bearer);
  query.use(bearer);
  gateway.use(bearer);
  return { registry, query, gateway };
}

import createClient, { Client, Middleware } from 'openapi-fetch';
import type { paths as QueryPaths } from './generated/query-api';
import type { paths as RegistryPaths } from './generated/registry-api';

export type RegistryClient = Client<RegistryPaths>;
export type QueryClient = Client<QueryPaths>;

export interface ApiClients {
  /** The registry API (commands, a child's record, imports, reconciliation decisions), behind /registry. */
  registry: RegistryClient;
  /** The query API (read models: search, timelines, audit, indicators), behind /query. */
  query: QueryClient;
}

/**
 * Typed clients for the APIs, generated from their OpenAPI documents (`npm run openapi`): a request
 * or answer shape the API does not have does not compile. Both APIs sit behind the console's own
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
  registry.use(bearer);
  query.use(bearer);
  return { registry, query };
}

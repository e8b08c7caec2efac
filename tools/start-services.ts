import type { PlatformConfig } from '@childledger/platform';

/** Every service `npm start` runs, each in its own process (tools/start-service.ts), in start order. */
export const START_SERVICES = [
  { name: 'registry-api', port: (c: PlatformConfig) => c.REGISTRY_API_PORT },
  { name: 'projector', port: (c: PlatformConfig) => c.PROJECTOR_PORT },
  { name: 'query-api', port: (c: PlatformConfig) => c.QUERY_API_PORT },
  { name: 'log-sealer', port: (c: PlatformConfig) => c.LOG_SEALER_PORT },
  { name: 'population-registry-sandbox', port: (c: PlatformConfig) => c.SANDBOX_PORT },
  { name: 'identity-adapter', port: (c: PlatformConfig) => c.IDENTITY_ADAPTER_PORT },
  { name: 'stream-gateway', port: (c: PlatformConfig) => c.STREAM_GATEWAY_PORT },
] as const;

export type StartServiceName = (typeof START_SERVICES)[number]['name'];

// The services that the build, the image and the manifests know: each one's port variable and
// default (libs/platform's PlatformConfig), and whether it is an HTTP API (scaled out, behind the
// Ingress) or a subscription worker (one active instance). The manifests test holds deploy/k8s to it.
export interface ServiceInfo {
  portVariable: string;
  port: number;
  kind: 'api' | 'worker' | 'sandbox';
}

export const SERVICES: Readonly<Record<string, ServiceInfo>> = {
  'registry-api': { portVariable: 'REGISTRY_API_PORT', port: 3000, kind: 'api' },
  'query-api': { portVariable: 'QUERY_API_PORT', port: 3050, kind: 'api' },
  'stream-gateway': { portVariable: 'STREAM_GATEWAY_PORT', port: 3060, kind: 'api' },
  'identity-adapter': { portVariable: 'IDENTITY_ADAPTER_PORT', port: 3030, kind: 'worker' },
  projector: { portVariable: 'PROJECTOR_PORT', port: 3040, kind: 'worker' },
  'log-sealer': { portVariable: 'LOG_SEALER_PORT', port: 3070, kind: 'worker' },
  // The national population database's stand-in: the dev overlay only, never production.
  'population-registry-sandbox': { portVariable: 'SANDBOX_PORT', port: 3090, kind: 'sandbox' },
};

/** The console's server (apps/console/server): the static build, /config.json and the probes. */
export const CONSOLE_SERVICE: ServiceInfo = { portVariable: 'CONSOLE_PORT', port: 3200, kind: 'api' };

/** The container's HEALTHCHECK: GET /health/live on the service's port (Node's fetch; no curl in the image). */
export function healthcheckScript(service: ServiceInfo | undefined): string {
  if (!service) return `'use strict';\n// No HTTP port: a command-line tool.\nprocess.exit(0);\n`;
  return [
    `'use strict';`,
    `const port = process.env[${JSON.stringify(service.portVariable)}] || ${service.port};`,
    `fetch('http://127.0.0.1:' + port + '/health/live', { signal: AbortSignal.timeout(4000) })`,
    `  .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));`,
    ``,
  ].join('\n');
}

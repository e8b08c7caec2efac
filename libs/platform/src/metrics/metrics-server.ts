import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { PlatformConfig } from '../config/platform.config';
import { PLATFORM_CONFIG } from '../tokens';
import { METRICS_REGISTRY } from './metrics';

/**
 * The internal metrics listener (METRICS_PORT, METRICS_HOST): a plain HTTP server, apart from the
 * service's own port, that answers `GET /metrics` with the service's registry and nothing else,
 * with no token. What it serves are counts, durations and states labelled by route templates,
 * subscriptions, partners and outcomes: nothing personal. Who may reach it is the network's
 * business (deploy/k8s: the monitoring namespace only). Started with the application (init),
 * closed at shutdown.
 */
export function startMetricsServer(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: only /metrics is served here\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end();
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
    );
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('metrics');
  private server: Server | undefined;
  private enabled = false;

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.METRICS_PORT;
    if (!this.enabled || port === undefined || this.server) return;
    this.server = await startMetricsServer(this.registry, port, this.config.METRICS_HOST ?? this.config.HOST);
    this.log.log({ url: this.url }, 'metrics listener started');
  }

  /** Called by createApp: HTTP services listen on METRICS_PORT; command-line contexts on the same environment do not. */
  enable(): void {
    this.enabled = true;
  }

  /** `http://host:port` of the listener (tests ask port 0), or undefined when METRICS_PORT is unset. */
  get url(): string | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

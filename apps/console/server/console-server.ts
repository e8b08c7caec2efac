import express from 'express';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/** What the browser needs to know at run time; served as /config.json (never built into the bundle). */
export interface ConsoleRuntimeConfig {
  oidc: { issuer: string; clientId: string; scope: string };
}

export interface ConsoleServerOptions {
  /** The static build (index.html and assets/). */
  distDir: string;
  /**
   * Upstreams behind the console's origin: `/registry/*` → registry API, `/query/*` → query API,
   * `/gateway/*` → the stream gateway (its partner administration, for the Administration screen).
   * Unset in a cluster whose Ingress routes those paths to the APIs itself (deploy/k8s).
   */
  upstreams: { registry?: string; query?: string; gateway?: string };
  runtime: ConsoleRuntimeConfig;
}

export interface RunningConsole {
  close(): Promise<void>;
  getUrl(): Promise<string>;
}

// Hop-by-hop headers belong to one connection and are never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

/** A small reverse proxy: the request (body streamed), the answer streamed back (SSE included). */
function proxyTo(target: string): express.RequestHandler {
  const base = new URL(target);
  return (req, res) => {
    const upstream = http.request(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        method: req.method,
        path: req.url,
        headers: { ...withoutHopByHop(req.headers), host: base.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) return void res.destroy();
      res.status(502).json({ statusCode: 502, message: 'the service behind the console is not reachable' });
    });
    req.pipe(upstream);
  };
}

/**
 * The console's server: the static build and the APIs on one origin (government networks sit
 * behind proxies, and one origin needs no CORS), plus the run-time configuration.
 */
export function createConsoleServer(options: ConsoleServerOptions): express.Express {
  const index = path.join(options.distDir, 'index.html');
  if (!fs.existsSync(index)) throw new Error(`the console is not built (${index} is missing)`);
  const issuerOrigin = new URL(options.runtime.oidc.issuer).origin;
  const app = express();
  app.disable('x-powered-by');
  // Probes: alive while the process serves; ready when the build it serves is there.
  app.get('/health/live', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/health/ready', (_req, res) => {
    const ready = fs.existsSync(index);
    res.status(ready ? 200 : 503).json(ready ? { status: 'ok' } : { status: 'error', message: 'the console build is missing' });
  });
  for (const [prefix, upstream] of [
    ['/registry', options.upstreams.registry],
    ['/query', options.upstreams.query],
    ['/gateway', options.upstreams.gateway],
  ] as const) {
    // Not proxied: the Ingress routes these paths; one reaching this server is answered as missing, never with the page.
    app.use(
      prefix,
      upstream ? proxyTo(upstream) : (_req, res) => void res.status(404).json({ statusCode: 404, message: `${prefix} is not served by the console here` }),
    );
  }
  app.use((_req, res, next) => {
    // antd writes its styles at run time (CSS-in-JS), hence 'unsafe-inline' for styles only.
    res.setHeader(
      'content-security-policy',
      `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ${issuerOrigin}; frame-src ${issuerOrigin}; frame-ancestors 'none'; base-uri 'self'; form-action 'self' ${issuerOrigin}`,
    );
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    next();
  });
  app.get('/config.json', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(options.runtime);
  });
  // Hashed file names: cached for good; index.html always revalidated so a new build shows at once.
  app.use('/assets', express.static(path.join(options.distDir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
  app.use(express.static(options.distDir, { index: false, maxAge: 0 }));
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return app;
}

export async function listenConsole(app: express.Express, port: number, host: string): Promise<RunningConsole> {
  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    getUrl: async () => {
      const { port: p } = server.address() as AddressInfo;
      return `http://${host === '0.0.0.0' ? 'localhost' : host}:${p}`;
    },
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';

/** Seconds; a request past the last bucket (an SSE stream held open, a long import) lands in +Inf. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The route label of a request nothing routed (404s, requests refused before routing such as a 413 body). */
export const UNMATCHED_ROUTE = 'unmatched';

type HttpLabels = 'method' | 'route' | 'status';

/** A request as Express leaves it once routed: `route.path` is the route's template (`/api/v1/children/:id`). */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown } };

/**
 * The route label: the template of the route Express matched, never the URL (which holds ids and,
 * in query strings, purposes and search terms). Unrouted requests share one label.
 */
export function routeTemplate(req: RoutedRequest): string {
  const path = req.route?.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  // Not req.baseUrl: that is the URL's matched prefix (values, not a template). Nest mounts every route on the app itself.
  return path || '/';
}

/** Methods outside this set are counted as `other`: the label's values stay a fixed few. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * `childledger_http_requests_total{method,route,status}` and
 * `childledger_http_request_duration_seconds{method,route,status}` on the service's registry,
 * and an Express/Node middleware that records every request once, when its response finishes or
 * its connection closes (an aborted request or an SSE stream the client left counts with the
 * status that was sent).
 */
export function httpMetricsMiddleware(registry: Registry): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const requests =
    (registry.getSingleMetric('childledger_http_requests_total') as Counter<HttpLabels> | undefined) ??
    new Counter({
      name: 'childledger_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('childledger_http_request_duration_seconds') as Histogram<HttpLabels> | undefined) ??
    new Histogram({
      name: 'childledger_http_request_duration_seconds',
      help: 'Time from a request arriving to its response finishing, by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
    });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const labels = {
        method: METHODS.has(req.method ?? '') ? req.method! : 'other',
        route: routeTemplate(req as RoutedRequest),
        status: String(res.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}

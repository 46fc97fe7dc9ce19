import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { HttpMetrics } from './create-metrics.js';

type Handler = (c: Context) => Response | Promise<Response>;

/**
 * A route handler that records its answer under its own route template. A synchronous answer stays synchronous (the
 * feed routes rely on it); only answers that were promises anyway get a `.then`.
 */
export function timedHandler(route: string, handler: Handler, metrics: HttpMetrics): Handler {
  return function timed(c) {
    const started = performance.now();
    const res = handler(c);
    if (res instanceof Promise) {
      return res.then((answer) => {
        metrics.request(route, answer.status, started);
        return answer;
      });
    }
    metrics.request(route, res.status, started);
    return res;
  };
}

/**
 * Middleware for every other route: after the handler, the matched route that answered is its template
 * (`/stories/:id`), never the raw path; a request no route took is `unmatched`, so scanners cannot add series.
 */
export function timeRequests(metrics: HttpMetrics): MiddlewareHandler {
  return async function timeRequest(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      // The last handler that ran; when that is a middleware (`use`, path `*`), no route took the request.
      const answered = matchedRoutes(c)[c.req.routeIndex];
      const route = answered === undefined || (answered.method === 'ALL' && (answered.path === '*' || answered.path === '/*')) ? 'unmatched' : answered.path;
      metrics.request(route, c.res.status, started);
    }
  };
}

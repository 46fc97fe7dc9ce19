import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Metrics } from '../../metrics/create-metrics.js';

export interface MetricsRouteOptions {
  metrics: Metrics;
  /** METRICS_TOKEN: when set, a scrape needs `Authorization: Bearer <token>`. */
  token: string | null;
}

/** `GET /metrics`: this process's registry in the Prometheus text format, never cached. */
export function metricsRoute(options: MetricsRouteOptions): Hono {
  const app = new Hono();
  // Digests of equal length, so the comparison takes the same time whatever the header's length or content.
  const expected = options.token === null ? null : digest(`Bearer ${options.token}`);

  app.get('/metrics', async function metrics(c) {
    c.header('Cache-Control', 'no-store');
    if (expected !== null && !timingSafeEqual(digest(c.req.header('authorization') ?? ''), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      return c.json({ error: { code: 'UNAUTHORIZED', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' } }, 401);
    }
    const text = await options.metrics.render();
    return c.body(text, 200, { 'Content-Type': options.metrics.contentType });
  });

  return app;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

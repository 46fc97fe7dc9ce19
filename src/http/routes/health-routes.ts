import { Hono } from 'hono';
import type { Logger } from '../../logger.js';

export type HealthCheck = () => Promise<{ ok: boolean; details?: Record<string, unknown> }>;

export interface HealthRoutesOptions {
  health?: HealthCheck;
  logger: Logger;
  /** A hung database must not hang the probe. */
  timeoutMs?: number;
}

type Outcome = { ok: boolean; details?: Record<string, unknown> };

/**
 * `/healthz` is liveness: 200 whenever the process answers, with the dependency report as information only.
 * `/readyz` is readiness: 503 when the dependency check says not ok, fails or times out.
 */
export function healthRoutes(options: HealthRoutesOptions): Hono {
  const app = new Hono();
  const timeoutMs = options.timeoutMs ?? 2000;

  async function check(): Promise<Outcome | null> {
    if (!options.health) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, details: { error: 'health check timed out' } }), timeoutMs);
    });
    try {
      return await Promise.race([options.health(), timeout]);
    } catch (err) {
      options.logger.warn({ err }, 'health check failed');
      return { ok: false, details: { error: 'health check failed' } };
    } finally {
      clearTimeout(timer);
    }
  }

  // Liveness never touches dependencies: a slow database must not get a healthy process restarted.
  app.get('/healthz', function healthz(c) {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' }, 200);
  });

  app.get('/readyz', async function readyz(c) {
    const outcome = await check();
    c.header('Cache-Control', 'no-store');
    const ok = outcome === null || outcome.ok;
    const body = { status: ok ? 'ready' : 'not_ready', ...(outcome?.details ? { details: outcome.details } : {}) };
    return c.json(body, ok ? 200 : 503);
  });

  return app;
}

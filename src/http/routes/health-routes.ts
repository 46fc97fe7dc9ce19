import { Hono } from 'hono';
import type { Logger } from '../../logger.js';

export type HealthCheck = () => Promise<{ ok: boolean; details?: Record<string, unknown> }>;

/** One named readiness check; what it returns besides `ok` is shown under its name in /readyz. */
export interface ReadinessCheck {
  name: string;
  run: () => Promise<CheckOutcome>;
}

export type CheckOutcome = { ok: boolean } & Record<string, unknown>;

export interface HealthRoutesOptions {
  /** The database check (kept as the original one-function form); shown as `database`. */
  health?: HealthCheck;
  /** Further checks, e.g. migrations current and the worker's last pass (src/metrics/readiness-checks.ts). */
  checks?: readonly ReadinessCheck[];
  logger: Logger;
  /** A hung database must not hang the probe: each check gets this long. */
  timeoutMs?: number;
}

/**
 * `/healthz` is liveness: 200 whenever the process answers, with the dependency report as information only.
 * `/readyz` is readiness: every check by name, 503 naming those that say not ok, fail or time out.
 */
export function healthRoutes(options: HealthRoutesOptions): Hono {
  const app = new Hono();
  const timeoutMs = options.timeoutMs ?? 2000;
  const checks: ReadinessCheck[] = [...(options.health ? [fromHealthCheck(options.health)] : []), ...(options.checks ?? [])];

  async function run(check: ReadinessCheck): Promise<CheckOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, error: 'check timed out' }), timeoutMs);
    });
    try {
      return await Promise.race([check.run(), timeout]);
    } catch (err) {
      // Messages can name hosts: the log gets them, the public endpoint does not.
      options.logger.warn({ err, check: check.name }, 'readiness check failed');
      return { ok: false, error: 'check failed' };
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
    const outcomes = await Promise.all(checks.map(run));
    const byName: Record<string, CheckOutcome> = {};
    checks.forEach((check, i) => (byName[check.name] = outcomes[i]));
    const failing = checks.filter((_, i) => !outcomes[i].ok).map((check) => check.name);
    c.header('Cache-Control', 'no-store');
    const ok = failing.length === 0;
    return c.json({ status: ok ? 'ready' : 'not_ready', ...(ok ? {} : { failing }), checks: byName }, ok ? 200 : 503);
  });

  return app;
}

function fromHealthCheck(health: HealthCheck): ReadinessCheck {
  return {
    name: 'database',
    run: async () => {
      const { ok, details } = await health();
      return { ...details, ok };
    },
  };
}

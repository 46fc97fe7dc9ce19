import { getRequestListener } from '@hono/node-server';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Env } from './config/env.js';
import { diffFeedsConfig, workerSettings } from './config/diff-feeds-config.js';
import { loadFeedsFile, type FeedsConfig } from './config/feeds-file.js';
import { watchFeedsFile, type FeedsFileWatcher } from './config/watch-feeds-file.js';
import { createDbFeedStore } from './create-db-feed-store.js';
import { syncFeeds } from './db/queries/sync-feeds.js';
import { createApp } from './http/create-app.js';
import type { Logger } from './logger.js';
import type { StoriesChanged } from './pipeline/refresh-feed.js';
import type { DatabaseHandle } from './db/client.js';
import { configuredCategories, openMigratedDatabase, parsePoolFor, refreshDepsFor, websubPublisherFor } from './open-migrated-database.js';
import { shortErrorMessage, toKhabarError } from './errors.js';
import { installShutdown } from './shutdown.js';
import { startWorker, type Worker } from './worker/schedule.js';
import { healthRoutes, type ReadinessCheck } from './http/routes/health-routes.js';
import { metricsRoute } from './http/routes/metrics-route.js';
import { Hono } from 'hono';
import { createMetrics, type Metrics } from './metrics/create-metrics.js';
import { migrationsCheck, workerCheck } from './metrics/readiness-checks.js';
import { sql } from 'drizzle-orm';
import type { WebsubPublisher } from './websub/create-websub-publisher.js';
import type { HeldHangups } from './hold-hangups.js';

/** At shutdown, pings still waiting or retrying get this long (within SHUTDOWN_TIMEOUT_MS) before they are dropped. */
const WEBSUB_SHUTDOWN_GRACE_MS = 5_000;

type ReloadTrigger = 'SIGHUP' | 'file change';

export interface ServiceRoles {
  worker: boolean;
  server: boolean;
}

export interface RunServiceOptions {
  /**
   * SIGHUPs caught since the process began (cli.ts, hold-hangups.ts): released once runService's own handler is
   * installed, and one that arrived is applied as a reload once everything is up, like one during start-up.
   */
  heldHangups?: HeldHangups;
}

/**
 * Runs the service: config → database → migrate → sync feeds → worker and/or server, until SIGTERM/SIGINT.
 * feeds.yaml is read again on SIGHUP and whenever it changes (reloadFeedsFile); the environment is read once.
 * Resolves once everything is up; the shutdown handler exits the process.
 */
export async function runService(env: Env, initialConfig: FeedsConfig, roles: ServiceRoles, logger: Logger, options: RunServiceOptions = {}): Promise<void> {
  // Watching starts before the slow start-up: an edit or a SIGHUP meanwhile is applied once everything is up (and a
  // SIGHUP without a handler would end the process).
  let ready = false;
  let stopping = false;
  let reloading: Promise<void> | null = null;
  let queued: ReloadTrigger | null = null;
  /** The last reload was refused: the next one says so even when the file is back to the running config. */
  let lastFailed = false;
  let watcher: FeedsFileWatcher | null = watchFeedsFile(env.feedsFile, () => requestReload('file change'), { logger });
  // Installed before the entry point's holder lets go, so that no SIGHUP falls between them; never removed: one during
  // shutdown (or after a failed start) would otherwise end the process before its graceful steps (requestReload ignores
  // it once stopping).
  process.on('SIGHUP', () => requestReload('SIGHUP'));
  if (options.heldHangups?.release()) {
    logger.info('SIGHUP received while starting; the feeds file is read again once the service is up');
    requestReload('SIGHUP');
  }
  const stopWatching = () => {
    watcher?.close();
    watcher = null;
  };
  const handle = await openMigratedDatabase(env, logger).catch((err: unknown) => {
    stopWatching();
    throw err;
  });
  let config = initialConfig;
  let server: Server | null = null;
  let worker: Worker | null = null;
  // Swapped whole on a reload: titles, categories and the OPML are baked into its routes and caches.
  let app: ReturnType<typeof createApp> | null = null;
  const parser = parsePoolFor(env, logger);
  // One registry and one set of checks for the process: apps rebuilt on a reload and restarted workers share them.
  const metrics = createMetrics({ db: handle.db, logger });
  const observability: Observability = {
    metrics,
    readiness: [migrationsCheck(handle.db), ...(roles.worker ? [workerCheck(() => worker)] : [])],
  };
  // Pings come from the process that stored the change: a worker. Swapped in place when websub_hub changes on a reload.
  let websub: WebsubPublisher | null = roles.worker ? websubPublisherFor(env, () => config, handle, logger, metrics) : null;
  const websubGraceMs = Math.min(WEBSUB_SHUTDOWN_GRACE_MS, Math.floor(env.shutdownTimeoutMs / 4));
  const onStoriesChanged = (change: StoriesChanged) => websub?.storiesChanged(change);
  const startServiceWorker = (runAtStart: boolean) =>
    startWorker(refreshDepsFor(handle, config, logger, parser, onStoriesChanged), {
      schedule: config.settings.schedule,
      concurrency: config.settings.concurrency,
      dedupWindowHours: config.settings.dedupWindowHours,
      retentionDays: config.settings.retentionDays,
      runAtStart,
      metrics,
    });
  const stopAll = async () => {
    if (server) await closeServer(server);
    await worker?.stop();
    await websub?.close(0);
    await parser.close();
    await handle.close();
  };
  try {
    const synced = await syncFeeds(handle.db, config.feeds);
    logger.info({ feeds: config.feeds.length, disabled: synced.disabled }, 'feeds synced from config');
    // The server binds first: a port that is taken must stop the process before any feed is claimed.
    if (roles.server) {
      app = createServiceApp(env, config, handle, logger, observability);
      // The listener reads `app` per request: a reload swaps it whole.
      server = await listen((req, res) => app!.nodeListener(req, res), env, logger);
    }
    // A worker-only replica has no app: with METRICS_PORT it still answers its probes and scrapes, with its own counts.
    if (!roles.server && env.metricsPort !== null) {
      const ops = createOpsApp(env, handle, logger, observability);
      server = await listen(getRequestListener(ops.fetch), { ...env, port: env.metricsPort }, logger);
    }
    if (roles.worker) worker = startServiceWorker(true);
  } catch (err) {
    stopWatching();
    await stopAll().catch((stopErr) => logger.error({ err: stopErr }, 'cleanup after a failed start failed'));
    throw err;
  }
  /**
   * Valid file: feeds synced (added ones are due at the next tick, removed ones disabled), the app rebuilt, the worker
   * restarted if its settings moved, and one line saying what changed. Invalid file, or a sync that fails: the running
   * config stays and one line says why, with the same file:line:col lines as `khabar check-config`.
   */
  async function reloadFeedsFile(trigger: ReloadTrigger): Promise<void> {
    let next: FeedsConfig;
    try {
      next = await loadFeedsFile(env.feedsFile);
    } catch (err) {
      const e = toKhabarError(err);
      logger.error({ trigger, code: e.code, error: e.message }, 'feeds file invalid, previous config kept');
      lastFailed = true;
      return;
    }
    const diff = diffFeedsConfig(config, next);
    if (diff.unchanged) {
      // Directory events for a file that did not change (a touch, an editor's backup) are not news; a broken edit
      // put back is, as is an answer to SIGHUP.
      logger[trigger === 'SIGHUP' || lastFailed ? 'info' : 'debug']({ trigger }, 'feeds file reloaded, nothing changed');
      lastFailed = false;
      return;
    }
    try {
      await syncFeeds(handle.db, next.feeds);
    } catch (err) {
      logger.error({ trigger, code: toKhabarError(err).code, error: shortErrorMessage(err) }, 'feeds file reload failed, previous config kept');
      lastFailed = true;
      return;
    }
    config = next;
    lastFailed = false;
    if (app) app = createServiceApp(env, config, handle, logger, observability);
    if (roles.worker && diff.settings.includes('websubHub')) {
      // The new hub takes the next change at once; the old one gets a moment for pings already queued for it.
      const previous = websub;
      websub = websubPublisherFor(env, () => config, handle, logger, metrics);
      await previous?.close(websubGraceMs);
    }
    const restartWorker = worker !== null && diff.settings.some((s) => workerSettings.includes(s));
    if (restartWorker) {
      await worker!.stop();
      if (!stopping) worker = startServiceWorker(false);
    }
    const { added, removed, changed, settings } = diff;
    logger.info({ trigger, added, removed, changed, settings, worker_restarted: restartWorker }, 'feeds file reloaded');
  }

  /** One reload at a time; requests arriving meanwhile (or during start-up) become one more, which reads the newest file. */
  function requestReload(trigger: ReloadTrigger): void {
    if (stopping) return;
    if (!ready || reloading) {
      queued = queued === 'SIGHUP' ? queued : trigger;
      return;
    }
    reloading = (async function reloadLoop() {
      let current: typeof trigger | null = trigger;
      while (current && !stopping) {
        queued = null;
        try {
          await reloadFeedsFile(current);
        } catch (err) {
          logger.error({ err }, 'feeds file reload failed, previous config kept');
        }
        current = queued;
      }
      reloading = null;
    })();
  }
  ready = true;
  if (queued) requestReload(queued);

  installShutdown({
    logger,
    timeoutMs: env.shutdownTimeoutMs,
    steps: [
      {
        name: 'config reload',
        run: async () => {
          stopping = true;
          stopWatching();
          await reloading;
        },
      },
      { name: 'server', run: () => (server ? closeServer(server) : Promise.resolve()) },
      { name: 'worker', run: () => worker?.stop() ?? Promise.resolve() },
      // After the worker (its last stores may ping), before the database (category look-ups read it).
      { name: 'websub pings', run: () => websub?.close(websubGraceMs) ?? Promise.resolve() },
      { name: 'parse workers', run: () => parser.close() },
      { name: 'database', run: () => handle.close() },
    ],
  });
}

interface Observability {
  metrics: Metrics;
  readiness: ReadinessCheck[];
}

/** /healthz, /readyz and /metrics alone, for a process that runs the worker without the web app. */
function createOpsApp(env: Env, handle: DatabaseHandle, logger: Logger, observability: Observability): Hono {
  const ops = new Hono();
  ops.route('/', healthRoutes({ health: databaseHealth(handle, logger), checks: observability.readiness, logger }));
  ops.route('/', metricsRoute({ metrics: observability.metrics, token: env.metricsToken }));
  return ops;
}

function databaseHealth(handle: DatabaseHandle, logger: Logger) {
  return async function databaseHealth() {
    try {
      await handle.db.execute(sql`select 1`);
      return { ok: true, details: { database: handle.kind } };
    } catch (err) {
      // The driver's message can name hosts: it goes to the log, not to the public endpoint.
      logger.warn({ err }, 'database health check failed');
      return { ok: false, details: { database: handle.kind } };
    }
  };
}

function createServiceApp(env: Env, config: FeedsConfig, handle: DatabaseHandle, logger: Logger, observability: Observability) {
  return createApp({
    feedStore: createDbFeedStore(handle.db, {
      title: config.settings.title,
      description: config.settings.description,
      language: 'ar',
      publicUrl: env.publicUrl,
      websubHub: config.settings.websubHub,
    }),
    logger,
    config: {
      publicUrl: env.publicUrl,
      feedTitle: config.settings.title,
      cacheSeconds: 30,
      sources: config.feeds.filter((f) => f.enabled).map((f) => ({ name: f.name, url: f.url, category: f.category, language: f.language })),
      // Disabled feeds too: their stories stay published under their category.
      categories: configuredCategories(config),
      metricsToken: env.metricsToken,
    },
    metrics: observability.metrics,
    readiness: observability.readiness,
    health: databaseHealth(handle, logger),
  });
}

function listen(listener: (req: IncomingMessage, res: ServerResponse) => void, env: Env, logger: Logger): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = createServer(listener);
    s.listen(env.port, env.host, () => {
      const address = s.address();
      logger.info({ port: typeof address === 'object' && address !== null ? address.port : env.port, host: env.host, public_url: env.publicUrl }, 'server listening');
      resolve(s);
    });
    s.once('error', (err) => {
      s.close();
      reject(err);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Keep-alive connections from feed readers would hold close() open until they time out.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}

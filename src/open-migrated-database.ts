import type { Env } from './config/env.js';
import type { FeedsConfig } from './config/feeds-file.js';
import { openDatabase, type DatabaseHandle } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { createWorkerStoryAssigner } from './dedup/create-worker-story-assigner.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics/create-metrics.js';
import { createParsePool, type ParsePool } from './pipeline/parse-pool.js';
import type { RefreshDeps, StoriesChanged } from './pipeline/refresh-feed.js';
import { createWebsubPublisher, type WebsubPublisher } from './websub/create-websub-publisher.js';

/*
 * The parts every command that touches the database composes: the migrated database, the parse workers, the worker's
 * dependencies, the WebSub publisher. Apart from main.ts (the long-running service: HTTP server, schedule, metrics,
 * reloads), so that the one-shot commands (`fetch --once`, `story`, `prune`) never load the server's modules.
 */

/** Opens the database and applies pending migrations: every command that touches the database starts here. */
export async function openMigratedDatabase(env: Env, logger: Logger): Promise<DatabaseHandle> {
  const handle = await openDatabase({
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    poolMax: env.databasePoolMax,
    prepareStatements: env.databasePrepare,
    pgliteSharedBuffersMb: env.pgliteSharedBuffersMb,
    logger,
  });
  try {
    await migrateDatabase(handle, env.databaseUrl);
  } catch (err) {
    await handle.close();
    throw err;
  }
  logger.info({ database: handle.kind, location: handle.location }, 'database ready');
  return handle;
}

/** The parse worker threads, as the environment sizes them. */
export function parsePoolFor(env: Env, logger: Logger): ParsePool {
  return createParsePool({ size: env.parseWorkers ?? undefined, budgetMs: env.parseBudgetMs, logger });
}

/** What the worker needs, built from the config; `onStoriesChanged` hears of every committed change (WebSub). */
export function refreshDepsFor(
  handle: DatabaseHandle,
  config: FeedsConfig,
  logger: Logger,
  parser: ParsePool,
  onStoriesChanged?: (change: StoriesChanged) => void,
): RefreshDeps {
  const s = config.settings;
  return {
    db: handle.db,
    assigner: createWorkerStoryAssigner(handle.db, { windowHours: s.dedupWindowHours }),
    parser,
    logger,
    onStoriesChanged,
    options: {
      timeoutMs: s.timeoutSeconds * 1000,
      maxBytes: s.maxBytes,
      maxRedirects: s.maxRedirects,
      userAgent: s.userAgent,
      itemsPerFeed: s.itemsPerFeed,
      retentionDays: s.retentionDays,
    },
  };
}

/** Every feeds.yaml category, disabled feeds' included (their stories stay published under it): the ones served. */
export function configuredCategories(config: FeedsConfig): string[] {
  return [...new Set(config.feeds.flatMap((f) => (f.category ? [f.category] : [])))];
}

/**
 * The WebSub publisher for settings.websub_hub, or null without one. `currentConfig` is read at each change, so the
 * categories pinged follow a reloaded file.
 */
export function websubPublisherFor(
  env: Env,
  currentConfig: () => FeedsConfig,
  handle: DatabaseHandle,
  logger: Logger,
  metrics?: Metrics,
): WebsubPublisher | null {
  const { websubHub, userAgent } = currentConfig().settings;
  if (websubHub === null) return null;
  return createWebsubPublisher({
    hubUrl: websubHub,
    db: handle.db,
    publicUrl: env.publicUrl,
    categories: () => new Set(configuredCategories(currentConfig())),
    logger,
    userAgent,
    metrics: metrics?.websub,
  });
}

/**
 * How long a one-shot command (`fetch --once`, `story split | merge`) waits for its WebSub pings (retries included)
 * before exiting without them.
 */
export const ONE_SHOT_WEBSUB_GRACE_MS = 10_000;

import cron from 'node-cron';
import type { Logger } from '../logger.js';
import type { RefreshDeps } from '../pipeline/refresh-feed.js';
import { pruneDedupIndex } from '../db/queries/prune-dedup-index.js';
import { pruneOldStories } from '../db/queries/prune-old-stories.js';
import { hasStaleEntries, reindexStaleEntries } from '../dedup/reindex-stale-entries.js';
import { refreshDueFeeds } from './refresh-due-feeds.js';

export interface WorkerOptions {
  /** node-cron expression, validated with the config. */
  schedule: string;
  concurrency: number;
  /** Dedup window: index keys older than twice this are pruned (at most hourly). Unset: never prune. */
  dedupWindowHours?: number;
  /** settings.retention_days: stories whose newest item is older than this are deleted (at most hourly). Unset: keep all. */
  retentionDays?: number | null;
  /** Run a pass right away instead of waiting for the first tick. */
  runAtStart?: boolean;
}

export interface Worker {
  /** Runs one pass now unless one is running (then returns that one). */
  runPass(): Promise<void>;
  /** Stops ticking, lets the pass in flight finish its feeds (no new claims). Idempotent. */
  stop(): Promise<void>;
}

/** Ticks with node-cron; passes never overlap in a process, and leases keep replicas off each other's feeds. */
export function startWorker(deps: RefreshDeps, options: WorkerOptions): Worker {
  const log: Logger = deps.logger.child({ component: 'worker' });
  const abort = new AbortController();
  let inFlight: Promise<void> | null = null;

  function runPass(): Promise<void> {
    if (inFlight) {
      log.debug('previous pass still running; tick skipped');
      return inFlight;
    }
    inFlight = (async function workerPass() {
      const started = Date.now();
      try {
        await reindexOnce();
        const summary = await refreshDueFeeds({ ...deps, signal: abort.signal }, { concurrency: options.concurrency, signal: abort.signal });
        if (summary.feeds > 0) log.info({ ...summary, ms: Date.now() - started }, 'worker pass finished');
        await pruneIfDue();
      } catch (err) {
        log.error({ err }, 'worker pass failed');
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  let reindexed = false;
  /** First pass only: entries fingerprinted by an older release are recomputed before new items are compared with them. */
  async function reindexOnce(): Promise<void> {
    if (reindexed || !options.dedupWindowHours) return;
    const since = new Date(Date.now() - 2 * options.dedupWindowHours * 3_600_000);
    if (await hasStaleEntries(deps.db, since)) {
      const started = Date.now();
      log.info({ since: since.toISOString() }, 'dedup entries from another fingerprint version: reindexing from stored items');
      const done = await reindexStaleEntries(deps.db, {
        since,
        signal: abort.signal,
        onBatch: (p) => log.debug(p, 'dedup reindex batch'),
      });
      log.info({ ...done, ms: Date.now() - started }, 'dedup entries reindexed');
    }
    reindexed = !abort.signal.aborted;
  }

  let lastPrune = 0;
  async function pruneIfDue(): Promise<void> {
    if ((!options.dedupWindowHours && !options.retentionDays) || Date.now() - lastPrune < 3_600_000) return;
    lastPrune = Date.now();
    if (options.dedupWindowHours) {
      const before = new Date(Date.now() - 2 * options.dedupWindowHours * 3_600_000);
      const removed = await pruneDedupIndex(deps.db, before);
      if (removed) log.info({ removed, before: before.toISOString() }, 'dedup index pruned');
    }
    if (options.retentionDays) {
      const before = new Date(Date.now() - options.retentionDays * 86_400_000);
      const pruned = await pruneOldStories(deps.db, before, { signal: abort.signal });
      if (pruned && (pruned.stories > 0 || pruned.items > 0)) log.info({ ...pruned, before: before.toISOString() }, 'old stories pruned');
    }
  }

  const task = cron.schedule(options.schedule, () => void runPass(), { name: 'khabar-refresh', noOverlap: true });
  if (options.runAtStart ?? true) void runPass();

  let stopping: Promise<void> | null = null;
  return {
    runPass,
    stop: () =>
      (stopping ??= (async function stopWorker() {
        abort.abort();
        await task.stop();
        await task.destroy();
        await inFlight;
      })()),
  };
}

import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger.js';
import type { RefreshDeps } from '../pipeline/refresh-feed.js';
import { pruneDedupIndex } from '../db/queries/prune-dedup-index.js';
import { pruneOldStories } from '../db/queries/prune-old-stories.js';
import { reindexIfStale } from '../dedup/reindex-stale-entries.js';
import { refreshDueFeeds } from './refresh-due-feeds.js';
import { shortErrorMessage } from '../errors.js';
import type { WorkerMetrics } from '../metrics/create-metrics.js';

export interface WorkerOptions {
  /** node-cron expression, validated with the config. */
  schedule: string;
  concurrency: number;
  /**
   * Dedup window: index keys older than twice this are pruned (at most hourly), and stale entries of the last two
   * windows reindexed after an upgrade. Unset: neither.
   */
  dedupWindowHours?: number;
  /** settings.retention_days: stories whose newest item is older than this are deleted (at most hourly). Unset: keep all. */
  retentionDays?: number | null;
  /** Run a pass right away instead of waiting for the first tick. */
  runAtStart?: boolean;
  /** Feed outcomes, retention deletions and pass ends, for /metrics. */
  metrics?: WorkerMetrics;
}

export interface Worker {
  /** Runs one pass now unless one is running (then returns that one). */
  runPass(): Promise<void>;
  /** Stops ticking, lets the pass in flight finish its feeds (no new claims). Idempotent. */
  stop(): Promise<void>;
  /** When the last pass ended (ms since the epoch), or null before the first; /readyz compares it with the period. */
  lastPassAt(): number | null;
  /** When the worker started ticking, ms since the epoch. */
  readonly startedAt: number;
  /** The longest gap between the schedule's next few ticks, ms. */
  readonly periodMs: number;
}

/** Time one pass may spend deleting old stories before it goes back to refreshing feeds. */
const RETENTION_BUDGET_MS = 30_000;

/** Ticks with node-cron; passes never overlap in a process, and leases keep replicas off each other's feeds. */
export function startWorker(deps: RefreshDeps, options: WorkerOptions): Worker {
  const log: Logger = deps.logger.child({ component: 'worker' });
  const abort = new AbortController();
  let inFlight: Promise<void> | null = null;
  let lastPassAt: number | null = null;
  const startedAt = Date.now();

  function runPass(): Promise<void> {
    if (inFlight) {
      log.debug('previous pass still running; tick skipped');
      return inFlight;
    }
    inFlight = (async function workerPass() {
      const started = Date.now();
      try {
        await reindexIfDue();
        const summary = await refreshDueFeeds(
          { ...deps, signal: abort.signal },
          { concurrency: options.concurrency, signal: abort.signal, metrics: options.metrics },
        );
        if (summary.feeds > 0) log.info({ ...summary, ms: Date.now() - started }, 'worker pass finished');
        await pruneIfDue();
      } catch (err) {
        log.error({ error: shortErrorMessage(err) }, 'worker pass failed');
        log.debug({ err }, 'worker pass failure detail');
      } finally {
        lastPassAt = Date.now();
        options.metrics?.passFinished(lastPassAt);
        inFlight = null;
      }
    })();
    return inFlight;
  }

  let reindexChecked = 0;
  /**
   * Entries fingerprinted by another release are recomputed before new items are compared with them: on the first pass,
   * then hourly (during a rolling deploy, replicas of the older release keep writing old entries for a while). A failure
   * is logged and retried on the next pass; it never keeps feeds from being refreshed.
   */
  async function reindexIfDue(): Promise<void> {
    if (!options.dedupWindowHours || Date.now() - reindexChecked < 3_600_000) return;
    try {
      const done = await reindexIfStale(deps.db, { windowHours: options.dedupWindowHours, log, signal: abort.signal });
      if (done) options.metrics?.dedupReindexed('done', done.reindexed);
      if (!abort.signal.aborted) reindexChecked = Date.now();
    } catch (err) {
      options.metrics?.dedupReindexed('failed', 0);
      log.warn({ error: shortErrorMessage(err) }, 'dedup reindex failed; refreshing feeds anyway, retrying next pass');
    }
  }

  let lastIndexPrune = 0;
  let lastRetention = 0;
  /** Hourly: the dedup index's old keys, and (retention_days) old stories, a bounded slice per pass until done. */
  async function pruneIfDue(): Promise<void> {
    if (options.dedupWindowHours && Date.now() - lastIndexPrune >= 3_600_000) {
      lastIndexPrune = Date.now();
      const before = new Date(Date.now() - 2 * options.dedupWindowHours * 3_600_000);
      const removed = await pruneDedupIndex(deps.db, before);
      if (removed) log.info({ removed, before: before.toISOString() }, 'dedup index pruned');
    }
    if (options.retentionDays && Date.now() - lastRetention >= 3_600_000) {
      const before = new Date(Date.now() - options.retentionDays * 86_400_000);
      // A first run on a large archive would keep this worker from refreshing feeds for minutes: it stops after its
      // budget and carries on at the next pass.
      const pruned = await pruneOldStories(deps.db, before, { signal: abort.signal, budgetMs: RETENTION_BUDGET_MS });
      if (pruned) options.metrics?.retentionPruned(pruned);
      if (pruned && (pruned.stories > 0 || pruned.items > 0)) log.info({ ...pruned, before: before.toISOString() }, 'old stories pruned');
      if (!pruned?.more) lastRetention = Date.now();
    }
  }

  const task = cron.schedule(options.schedule, () => void runPass(), { name: 'khabar-refresh', noOverlap: true });
  if (options.runAtStart ?? true) void runPass();

  let stopping: Promise<void> | null = null;
  return {
    runPass,
    lastPassAt: () => lastPassAt,
    startedAt,
    periodMs: schedulePeriodMs(task),
    stop: () =>
      (stopping ??= (async function stopWorker() {
        abort.abort();
        await task.stop();
        await task.destroy();
        await inFlight;
      })()),
  };
}

/** The longest gap between the next few ticks: irregular schedules (`0 9,17 * * *`) are judged by their longest wait. */
function schedulePeriodMs(task: ScheduledTask): number {
  const runs = task.getNextRuns(6).map((d) => d.getTime());
  let longest = 0;
  for (let i = 1; i < runs.length; i++) longest = Math.max(longest, runs[i] - runs[i - 1]);
  return longest || 60_000;
}

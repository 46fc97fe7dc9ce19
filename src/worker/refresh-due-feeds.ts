import type { Database } from '../db/client.js';
import { claimDueFeeds, leaseOwnerOf, type ClaimedFeed } from '../db/queries/claim-due-feeds.js';
import { releaseFeed } from '../db/queries/record-fetch-outcome.js';
import { retryTransient } from '../db/retry-transient.js';
import { FULL_TEXT_BUDGET_MS } from '../pipeline/fetch-full-text.js';
import type { Logger } from '../logger.js';
import { refreshFeed, type RefreshDeps, type RefreshResult } from '../pipeline/refresh-feed.js';
import { shortErrorMessage } from '../errors.js';
import type { WorkerMetrics } from '../metrics/create-metrics.js';

/** Feeds a claim takes at most (fewer with fewer runners): see claimNext. */
export const CLAIM_BATCH = 4;

export interface RefreshDueFeedsOptions {
  concurrency: number;
  /** Refresh every enabled feed once, due or not (`fetch --once`). */
  ignoreSchedule?: boolean;
  feedIds?: string[];
  /** Called as each feed finishes (CLI prints a line per feed). */
  onResult?: (result: RefreshResult) => void;
  /** Stop claiming new feeds once this is aborted (shutdown); feeds in flight finish. */
  signal?: AbortSignal;
  /** Stored with each lease this pass takes; default `hostname:pid` of this process. */
  leaseOwner?: string;
  /** Told each feed's outcome and how long it took (src/metrics). */
  metrics?: Pick<WorkerMetrics, 'refreshed'>;
}

export interface PassSummary {
  feeds: number;
  ok: number;
  notModified: number;
  failed: number;
  newItems: number;
}

/**
 * One pass of the worker: `concurrency` runners each claim one due feed at a time (SKIP LOCKED, with a lease) and
 * refresh it, until nothing due is left. Claiming one at a time lets several replicas share one pass.
 */
export async function refreshDueFeeds(deps: RefreshDeps, options: RefreshDueFeedsOptions): Promise<PassSummary> {
  const summary: PassSummary = { feeds: 0, ok: 0, notModified: 0, failed: 0, newItems: 0 };
  const done = new Set<string>();
  // Long enough for the slowest refresh: the feed's fetch, then (full_text feeds) pages for up to the full-text budget
  // plus the one in flight, then storing; a replica may claim the feed again only after it.
  // Parsing too: the feed's parse and the full-text page in flight, each up to the parse budget, after waiting for a
  // parse worker behind the other runners.
  const parseSeconds = Math.ceil(deps.parser.budgetMs / 1000) * (2 + Math.ceil(Math.max(1, options.concurrency) / deps.parser.size));
  const leaseSeconds = 2 * Math.ceil(deps.options.timeoutMs / 1000) + FULL_TEXT_BUDGET_MS / 1000 + parseSeconds + 120;
  const log: Logger = deps.logger;
  const owner = options.leaseOwner ?? leaseOwnerOf();

  async function runner(): Promise<void> {
    while (!options.signal?.aborted) {
      const claimed = await claimNext(deps.db);
      if (!claimed) return;
      const started = performance.now();
      const result = await refreshFeed(deps, claimed);
      options.metrics?.refreshed(result, (performance.now() - started) / 1000);
      summary.feeds++;
      if (result.outcome === 'ok') {
        summary.ok++;
        summary.newItems += result.newItems;
      } else if (result.outcome === 'not-modified') summary.notModified++;
      else summary.failed++;
      options.onResult?.(result);
    }
  }

  /**
   * The pass's runners claim one at a time: within a pass a feed is refreshed once, even when ignoring the schedule, and
   * a claim must know every feed claimed before it. Two claims at once both left out only what was done before either,
   * so a feed one runner had refreshed and released meanwhile could be claimed again by the other. A claim takes a few
   * feeds (CLAIM_BATCH) for the runners to take one by one: a claim is a transaction of four statements, and one feed a
   * claim made them most of a pass where every feed answers 304. Few enough that replicas still share a pass.
   */
  let claiming: Promise<unknown> = Promise.resolve();
  /** Claimed by this pass and not yet taken by a runner. */
  const queued: ClaimedFeed[] = [];
  function claimNext(db: Database): Promise<ClaimedFeed | undefined> {
    const next = claiming.then(async () => {
      // A runner with nothing to take claims again, even after a claim found nothing: a feed can become due mid-pass (a
      // reload adds it), and a runner that finished its feed picks it up, as it did claiming one at a time.
      if (queued.length === 0 && !options.signal?.aborted) {
        const feedIds = options.feedIds?.filter((id) => !done.has(id));
        const batch = await retryTransient(() =>
          claimDueFeeds(db, {
            limit: Math.min(CLAIM_BATCH, Math.max(1, options.concurrency)),
            leaseSeconds,
            owner,
            ignoreSchedule: options.ignoreSchedule,
            feedIds,
            excludeIds: [...done],
          }),
        );
        for (const c of batch) done.add(c.feed.id);
        queued.push(...batch);
      }
      return queued.shift();
    });
    claiming = next.catch(() => {});
    return next;
  }

  const runners = Array.from({ length: Math.max(1, options.concurrency) }, runner);
  const settled = await Promise.allSettled(runners);
  // Feeds claimed and not started (the pass was stopped, or a runner failed) go back now, not when their lease ends.
  for (const left of queued.splice(0)) {
    await retryTransient(() => releaseFeed(deps.db, left.feed.id)).catch((err) =>
      log.warn({ feed: left.feed.id, error: shortErrorMessage(err) }, 'could not give back a claimed feed; it comes back when its lease ends'),
    );
  }
  // What the assigner kept back during the pass (dedup word counts) reaches the database, for the other processes' idf.
  await retryTransient(() => deps.assigner.flush?.(deps.db) ?? Promise.resolve()).catch((err) =>
    log.warn({ error: shortErrorMessage(err) }, 'could not write the pass dedup statistics; they are written with the next pass'),
  );
  for (const s of settled) {
    if (s.status === 'rejected') {
      log.error({ error: shortErrorMessage(s.reason) }, 'worker pass stopped early');
      log.debug({ err: s.reason }, 'worker pass failure detail');
      throw s.reason;
    }
  }
  return summary;
}

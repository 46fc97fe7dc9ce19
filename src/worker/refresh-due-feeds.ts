import type { Database } from '../db/client.js';
import { claimDueFeeds, leaseOwnerOf } from '../db/queries/claim-due-feeds.js';
import { retryTransient } from '../db/retry-transient.js';
import { FULL_TEXT_BUDGET_MS } from '../pipeline/fetch-full-text.js';
import type { Logger } from '../logger.js';
import { refreshFeed, type RefreshDeps, type RefreshResult } from '../pipeline/refresh-feed.js';
import { shortErrorMessage } from '../errors.js';
import type { WorkerMetrics } from '../metrics/create-metrics.js';

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
   * so a feed one runner had refreshed and released meanwhile could be claimed again by the other.
   */
  let claiming: Promise<unknown> = Promise.resolve();
  function claimNext(db: Database) {
    const next = claiming.then(async () => {
      const feedIds = options.feedIds?.filter((id) => !done.has(id));
      const [claimed] = await retryTransient(() =>
        claimDueFeeds(db, {
          limit: 1,
          leaseSeconds,
          owner,
          ignoreSchedule: options.ignoreSchedule,
          feedIds,
          excludeIds: [...done],
        }),
      );
      if (claimed) done.add(claimed.feed.id);
      return claimed;
    });
    claiming = next.catch(() => {});
    return next;
  }

  const runners = Array.from({ length: Math.max(1, options.concurrency) }, runner);
  const settled = await Promise.allSettled(runners);
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

import { count, gt, and, eq, sql } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/client.js';
import { feeds, feedStates, stories } from '../db/schema.js';
import { shortErrorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RefreshResult } from '../pipeline/refresh-feed.js';
import type { WebsubPingMetrics } from '../websub/create-websub-pinger.js';
import { createRequestHistogram, type RequestHistogramChild } from './request-histogram.js';

/** What the worker tells about each feed it refreshed and each retention slice it deleted. */
export interface WorkerMetrics {
  refreshed(result: RefreshResult, seconds: number): void;
  retentionPruned(pruned: { stories: number; items: number }): void;
  /** A dedup reindex after an upgrade (entries of another fingerprint version): it ran to the end, or failed. */
  dedupReindexed(outcome: 'done' | 'failed', entries: number): void;
  /** When a pass ended (ms since the epoch), exposed as a gauge. */
  passFinished(atMs: number): void;
}

/** What the HTTP layer tells: one answer, by route template (never the raw path), status and start time. */
export interface HttpMetrics {
  /** `startedMs` from performance.now(). */
  request(route: string, status: number, startedMs: number): void;
}

export interface FeedCacheMetrics {
  /** A request answered from a built copy without waiting for the store. */
  hit(): void;
  /** A feed built again (its store version moved, or first request). */
  rebuilt(): void;
}

export interface Metrics extends WorkerMetrics, HttpMetrics {
  registry: Registry;
  feedCache: FeedCacheMetrics;
  /** Each request to the WebSub hub, by outcome. */
  websub: WebsubPingMetrics;
  /** The Prometheus text format of everything, gauges read from the database first. */
  render(): Promise<string>;
  contentType: string;
}

export interface CreateMetricsOptions {
  /** Read at scrape for the story and failing-feed gauges; without it those gauges are not exported. */
  db?: Database;
  logger?: Logger;
  /** A down database must not hang a scrape: the gauges keep their last values past this. */
  queryTimeoutMs?: number;
  /** Default process and Node metrics (event-loop lag, heap, GC, CPU). Default on. */
  defaultMetrics?: boolean;
}

/** Fetches take from a few ms (304) to the configured timeout (default 20 s) plus parsing and storing. */
const FETCH_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];
/** Feeds answer from memory in well under a millisecond; pages and search take longer. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * One registry per process (not prom-client's global one), so a test can make several apps and every replica exposes
 * its own counts. Created once in runService and handed to the worker and every app built there: the counters outlive
 * feed-cache rebuilds and app rebuilds on a config reload.
 */
export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const fetches = new Counter({
    name: 'khabar_fetches_total',
    help: 'Feed refreshes by outcome (ok, not_modified, error) and error code (empty unless error).',
    labelNames: ['outcome', 'code'] as const,
    registers,
  });
  const fetchSeconds = new Histogram({
    name: 'khabar_fetch_duration_seconds',
    help: 'Time to refresh one feed: fetch, parse, full text and store, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: FETCH_BUCKETS,
    registers,
  });
  const itemsStored = new Counter({
    name: 'khabar_items_stored_total',
    help: 'New items stored, per source (feed id).',
    labelNames: ['source'] as const,
    registers,
  });
  const itemsJoined = new Counter({
    name: 'khabar_items_joined_story_total',
    help: 'New items that joined a story another item had started, per source (the dedup rate is this over items stored).',
    labelNames: ['source'] as const,
    registers,
  });
  const itemsStarted = new Counter({
    name: 'khabar_items_started_story_total',
    help: 'New items that started a story of their own, per source.',
    labelNames: ['source'] as const,
    registers,
  });
  const retentionStories = new Counter({
    name: 'khabar_retention_deleted_stories_total',
    help: 'Stories deleted by retention_days.',
    registers,
  });
  const retentionItems = new Counter({
    name: 'khabar_retention_deleted_items_total',
    help: 'Items deleted by retention_days, with their stories.',
    registers,
  });
  const reindexRuns = new Counter({
    name: 'khabar_dedup_reindex_runs_total',
    help: 'Dedup reindex runs (entries fingerprinted by another release recomputed), by outcome (done, failed)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const reindexedEntries = new Counter({
    name: 'khabar_dedup_reindexed_entries_total',
    help: 'Dedup entries recomputed by reindex runs',
    registers,
  });
  const lastPass = new Gauge({
    name: 'khabar_worker_last_pass_timestamp_seconds',
    help: 'When the worker in this process last finished a pass (unix seconds); absent without a worker.',
    registers,
  });
  const httpSeconds = createRequestHistogram({
    name: 'khabar_http_request_duration_seconds',
    help: 'HTTP answers by route template (unmatched: no route) and status; _count is the request count.',
    buckets: HTTP_BUCKETS,
    registers,
  });

  const websubPings = new Counter({
    name: 'khabar_websub_pings_total',
    help: 'Publish pings to the WebSub hub (feeds.yaml websub_hub), per request: ok, retry (failed, tried again later) or failed (given up).',
    labelNames: ['outcome'] as const,
    registers,
  });
  // Present at zero from the start, so an alert on failures has a series before the first one.
  for (const outcome of ['ok', 'retry', 'failed'] as const) websubPings.inc({ outcome }, 0);

  // The request path adds to plain numbers; the counters take them at scrape, so a hit costs an increment.
  let cacheHits = 0;
  let cacheRebuilds = 0;
  new Counter({
    name: 'khabar_feed_cache_hits_total',
    help: 'Feed requests answered from a built copy without waiting for the store.',
    registers,
    collect() {
      this.reset();
      this.inc(cacheHits);
    },
  });
  new Counter({
    name: 'khabar_feed_cache_rebuilds_total',
    help: 'Feeds built again because the store version moved (or on first request).',
    registers,
    collect() {
      this.reset();
      this.inc(cacheRebuilds);
    },
  });

  const db = options.db;
  if (db) {
    const read = databaseGauges(db, options.queryTimeoutMs ?? 2000, options.logger);
    new Gauge({
      name: 'khabar_stories',
      help: 'Stories stored (read from the database at scrape).',
      registers,
      async collect() {
        const snapshot = await read();
        if (snapshot) this.set(snapshot.stories);
      },
    });
    new Gauge({
      name: 'khabar_feeds_failing',
      help: 'Enabled feeds whose last refresh failed (one or more failures in a row).',
      registers,
      async collect() {
        const snapshot = await read();
        if (snapshot) this.set(snapshot.failing);
      },
    });
    new Gauge({
      name: 'khabar_feeds_backing_off',
      help: 'Failing feeds waiting out their back-off (next attempt in the future).',
      registers,
      async collect() {
        const snapshot = await read();
        if (snapshot) this.set(snapshot.backingOff);
      },
    });
  }

  // Children made once per route and status: a request does a map lookup and one observe, no label object.
  const httpChildren = new Map<string, Map<number, RequestHistogramChild>>();
  function httpChild(route: string, status: number): RequestHistogramChild {
    let byStatus = httpChildren.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      httpChildren.set(route, byStatus);
    }
    let child = byStatus.get(status);
    if (child === undefined) {
      child = httpSeconds.child(route, String(status));
      byStatus.set(status, child);
    }
    return child;
  }

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    refreshed(result, seconds) {
      const outcome = result.outcome === 'not-modified' ? 'not_modified' : result.outcome;
      fetches.inc({ outcome, code: result.outcome === 'error' ? result.code : '' });
      fetchSeconds.observe({ outcome }, seconds);
      if (result.outcome === 'ok' && result.newItems > 0) {
        const source = result.feedId;
        const started = Math.min(result.newStories, result.newItems);
        itemsStored.inc({ source }, result.newItems);
        itemsStarted.inc({ source }, started);
        itemsJoined.inc({ source }, result.newItems - started);
      }
    },
    retentionPruned(pruned) {
      retentionStories.inc(pruned.stories);
      retentionItems.inc(pruned.items);
    },
    dedupReindexed(outcome, entries) {
      reindexRuns.inc({ outcome });
      reindexedEntries.inc(entries);
    },
    passFinished(atMs) {
      lastPass.set(atMs / 1000);
    },
    request(route, status, startedMs) {
      httpChild(route, status).observe((performance.now() - startedMs) / 1000);
    },
    websub: {
      pinged(outcome) {
        websubPings.inc({ outcome });
      },
    },
    feedCache: {
      hit() {
        cacheHits++;
      },
      rebuilt() {
        cacheRebuilds++;
      },
    },
  };
}

interface DatabaseSnapshot {
  stories: number;
  failing: number;
  backingOff: number;
}

/**
 * One query per scrape for all three gauges (the first gauge's collect starts it, the others share it). Failures and
 * timeouts give null: the gauges keep their last values and the rest of the scrape still answers.
 */
function databaseGauges(db: Database, timeoutMs: number, logger?: Logger): () => Promise<DatabaseSnapshot | null> {
  let inFlight: Promise<DatabaseSnapshot | null> | null = null;

  async function query(): Promise<DatabaseSnapshot> {
    const [storyRows, feedRows] = await Promise.all([
      db.select({ n: count() }).from(stories),
      db
        .select({
          failing: sql<number>`count(*) filter (where ${gt(feedStates.consecutiveFailures, 0)})`.mapWith(Number),
          backingOff: sql<number>`count(*) filter (where ${and(gt(feedStates.consecutiveFailures, 0), gt(feedStates.nextFetchAt, sql`now()`))})`.mapWith(Number),
        })
        .from(feedStates)
        .innerJoin(feeds, eq(feeds.id, feedStates.feedId))
        .where(eq(feeds.enabled, true)),
    ]);
    return { stories: Number(storyRows[0]?.n ?? 0), failing: feedRows[0]?.failing ?? 0, backingOff: feedRows[0]?.backingOff ?? 0 };
  }

  return function readDatabaseGauges() {
    inFlight ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), timeoutMs);
        });
        return await Promise.race([query(), timeout]);
      } catch (err) {
        logger?.warn({ error: shortErrorMessage(err) }, 'metrics database gauges failed');
        return null;
      } finally {
        clearTimeout(timer);
        // The scrape's gauges collect at once (registry.metrics), so all three have taken this promise by now.
        inFlight = null;
      }
    })();
    return inFlight;
  };
}

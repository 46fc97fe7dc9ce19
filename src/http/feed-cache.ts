import { KhabarError, shortErrorMessage, toKhabarError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { FeedCacheMetrics } from '../metrics/create-metrics.js';
import type { EncodedFeed } from '../publish/encode-feed.js';
import type { MergedFeed } from '../publish/types.js';
import type { FeedFormat } from './feed-formats.js';
import type { FeedQuery, FeedStore } from './feed-store.js';
import { roundLimitUp } from './parse-limit.js';

export interface FeedCacheOptions {
  feedStore: FeedStore;
  logger: Logger;
  /** How long a built feed is served without asking the store anything. */
  freshMs: number;
  /**
   * Documents kept, least recently used dropped first. The caller keys feeds so that their count is bounded
   * (create-app's feedCacheBound); this is the guard that keeps it so.
   */
  maxEntries: number;
  build: (feed: MergedFeed, format: FeedFormat, query: FeedQuery, versionKey: string) => Promise<EncodedFeed>;
  clock?: () => number;
  /** Counts hits and rebuilds (src/metrics); lives outside the cache so counts outlast it. */
  metrics?: FeedCacheMetrics;
}

export interface FeedCache {
  get(format: FeedFormat, query: FeedQuery): Promise<EncodedFeed>;
  /**
   * The built feed when `get` would answer it without waiting (fresh, or being checked by another request), else
   * undefined: the request path stays synchronous for all but the request that starts a check.
   */
  peek(format: FeedFormat, query: FeedQuery): EncodedFeed | undefined;
}

interface Entry {
  encoded: EncodedFeed;
  checkedAt: number;
}

/**
 * Serves built feeds while fresh; when stale, asks the store for its version and rebuilds only if it moved. One
 * refresh per key is in flight at a time, and concurrent version checks share one query. The request that finds the
 * copy stale waits for the check; requests arriving while it runs get the copy being checked at once, so a slow
 * store query (or a rebuild's compression) does not hold every connection once per cache period. When the store
 * fails and a built copy exists, that copy keeps being served: an old feed beats an error page for a feed reader.
 */
export function createFeedCache(options: FeedCacheOptions): FeedCache {
  const clock = options.clock ?? Date.now;
  const log = options.logger;
  const entries = new Map<string, Entry>();
  const refreshing = new Map<string, Promise<EncodedFeed>>();
  let versionInFlight: Promise<string> | null = null;

  function currentVersion(): Promise<string> {
    versionInFlight ??= fromStore(() => options.feedStore.version()).finally(() => {
      versionInFlight = null;
    });
    return versionInFlight;
  }

  function remember(key: string, entry: Entry): void {
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > options.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  }

  async function refresh(key: string, format: FeedFormat, query: FeedQuery): Promise<EncodedFeed> {
    const previous = entries.get(key);
    try {
      // Version first, then load: if data changes in between, the entry carries the older version and the next
      // check rebuilds; the other order could pin old bytes under a new version until the next change.
      const versionKey = await currentVersion();
      if (previous && previous.encoded.versionKey === versionKey) {
        previous.checkedAt = clock();
        remember(key, previous);
        return previous.encoded;
      }
      const feed = await fromStore(() => options.feedStore.load(query));
      const encoded = keepLastModifiedMonotonic(await options.build(feed, format, query, versionKey), previous?.encoded);
      remember(key, { encoded, checkedAt: clock() });
      options.metrics?.rebuilt();
      log.debug({ format, ...query, version: versionKey, bytes: encoded.body.length }, 'feed rebuilt');
      return encoded;
    } catch (err) {
      if (!previous) throw err;
      // Counting the failure as a check keeps a down database from being hit by every request.
      previous.checkedAt = clock();
      log.warn({ code: toKhabarError(err).code, error: shortErrorMessage(err), format, ...query }, 'feed store failed, serving stale copy');
      log.debug({ err }, 'feed store failure detail');
      return previous.encoded;
    }
  }

  function servable(key: string): EncodedFeed | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (clock() - entry.checkedAt >= options.freshMs && !refreshing.has(key)) return undefined;
    options.metrics?.hit();
    return entry.encoded;
  }

  return {
    async get(format: FeedFormat, requested: FeedQuery): Promise<EncodedFeed> {
      // Rounded here as well as in the routes: whatever a caller passes, a key is one of the bounded page sizes.
      const query: FeedQuery = { limit: roundLimitUp(requested.limit), category: requested.category };
      const key = keyOf(format, query);
      const ready = servable(key);
      if (ready !== undefined) return ready;
      let pending = refreshing.get(key);
      if (!pending) {
        pending = refresh(key, format, query).finally(() => refreshing.delete(key));
        refreshing.set(key, pending);
      }
      return pending;
    },
    peek(format: FeedFormat, requested: FeedQuery): EncodedFeed | undefined {
      return servable(keyOf(format, { limit: roundLimitUp(requested.limit), category: requested.category }));
    },
  };
}

/** Keys of the uncategorized feeds, made once: most requests are for them, and a new string per request is garbage. */
const plainKeys: Record<FeedFormat, Map<number, string>> = { rss: new Map(), atom: new Map(), json: new Map() };

/** Format and page size cannot hold the separator, so everything after the second one is the category. */
function keyOf(format: FeedFormat, query: FeedQuery): string {
  if (query.category !== null) return `${format}|${query.limit}|${query.category}`;
  const keys = plainKeys[format];
  let key = keys.get(query.limit);
  if (key === undefined) {
    key = `${format}|${query.limit}`;
    keys.set(query.limit, key);
  }
  return key;
}

/**
 * Last-Modified is the newest story's update, but a feed can change without one (a story removed or merged away).
 * Then the date must still move forward, or an If-Modified-Since client would be told nothing changed.
 */
function keepLastModifiedMonotonic(encoded: EncodedFeed, previous: EncodedFeed | undefined): EncodedFeed {
  if (!previous || previous.etag === encoded.etag || previous.lastModifiedMs === null || encoded.lastModifiedMs === null) return encoded;
  if (encoded.lastModifiedMs > previous.lastModifiedMs) return encoded;
  const bumped = previous.lastModifiedMs + 1000;
  return { ...encoded, lastModifiedMs: bumped, lastModified: new Date(bumped).toUTCString() };
}

/** Store failures that are not already classified are the database being unreachable, as far as clients can tell. */
async function fromStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw err instanceof KhabarError ? err : toKhabarError(err, 'DB_UNAVAILABLE');
  }
}

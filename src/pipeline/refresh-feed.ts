import type { Database } from '../db/client.js';
import type { ClaimedFeed } from '../db/queries/claim-due-feeds.js';
import { recordFetchOutcome, recordLateFailure, releaseFeed, type FetchOutcome } from '../db/queries/record-fetch-outcome.js';
import { canonicalLinkOwners, storedEntryDigests, withoutPrunedEntries } from '../db/queries/insert-items.js';
import { retryTransient } from '../db/retry-transient.js';
import { MAX_ERROR_MESSAGE_CHARS } from '../config/limits.js';
import { shortErrorMessage, toKhabarError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { fetchFeed } from './fetch-feed.js';
import { fetchFullText, type FullTextSummary } from './fetch-full-text.js';
import { hasNonPublicHost, type AddressLookup } from './public-address-guard.js';
import type { ParsePool } from './parse-pool.js';
import { storeItems } from './store-items.js';
import type { StoryAssigner } from './story-assigner.js';
import type { Item } from '../domain/item.js';
import { compareSourceDigests } from '../domain/source-digest.js';

export interface RefreshOptions {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /** At most this many entries of one document are stored (the newest come first in feeds). */
  itemsPerFeed: number;
  /**
   * settings.retention_days: entries published longer ago are not stored (the pruning job deletes stored ones that
   * old, so a feed that keeps listing them must not bring them back as new). Unset: everything is kept.
   */
  retentionDays?: number | null;
}

export interface RefreshDeps {
  db: Database;
  assigner: StoryAssigner;
  /** Parsing and reader view run in these worker threads, each task with a time budget (parse-pool.ts). */
  parser: ParsePool;
  options: RefreshOptions;
  logger: Logger;
  now?: () => Date;
  /** Shutdown: requests in flight are aborted, and their feeds released without counting a failure. */
  signal?: AbortSignal;
  /** For tests: how host names resolve for the full-text address guard. */
  resolve?: AddressLookup;
  /** Told how long each store held the assignment lock, ms (bench:ingest). */
  onAssignmentLockHeld?: (ms: number) => void;
  /**
   * Told, once the transaction has committed, which stories a store started, joined or corrected (never for a 304 or
   * a fetch that brought nothing new). Called synchronously and must not block: the WebSub pinger queues its ping.
   */
  onStoriesChanged?: (change: StoriesChanged) => void;
}

export interface StoriesChanged {
  feedId: string;
  /** Committed, so a reader of the published feeds sees them. */
  storyIds: number[];
}

export type RefreshResult =
  | { feedId: string; outcome: 'ok'; newItems: number; newStories: number; entries: number; charset: string }
  | { feedId: string; outcome: 'not-modified' }
  | { feedId: string; outcome: 'error'; code: ErrorCode; message: string; nextFetchAt: Date };

const BACKOFF_BASE_MINUTES = 5;
const BACKOFF_MAX_MINUTES = 6 * 60;

/**
 * Refreshes one feed top to bottom: conditional GET → decode → parse → normalize → (full text of new items, for
 * `full_text` feeds) → store (with stories) → health columns. Never throws: every failure is recorded on the feed's row
 * and returned, so one broken feed never stops the others. A failing feed is retried with exponential back-off, but
 * never given up on.
 */
export async function refreshFeed(deps: RefreshDeps, claimed: ClaimedFeed): Promise<RefreshResult> {
  const { db, options } = deps;
  const { feed, state } = claimed;
  const now = deps.now?.() ?? new Date();
  const log = deps.logger.child({ feed_id: feed.id });
  let httpStatus: number | null = null;
  const record = (outcome: FetchOutcome) => retryTransient(() => recordFetchOutcome(db, feed.id, outcome));
  try {
    const fetched = await fetchFeed(feed.url, {
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      maxRedirects: options.maxRedirects,
      userAgent: options.userAgent,
      etag: state.etag,
      lastModified: state.lastModified,
      signal: deps.signal,
    });
    const nextFetchAt = nextScheduledFetch(now, feed.refreshMinutes);
    if (fetched.status === 'not-modified') {
      await record({
        kind: 'not-modified',
        etag: fetched.etag ?? state.etag,
        lastModified: fetched.lastModified ?? state.lastModified,
        httpStatus: 304,
        newItems: 0,
        charset: null,
        nextFetchAt,
      });
      log.debug('feed not modified');
      return { feedId: feed.id, outcome: 'not-modified' };
    }
    httpStatus = fetched.httpStatus;
    // The body is not kept past its parse: a refresh can wait a while for the assignment lock, and `concurrency` of
    // them held their documents (up to max_bytes each) beside their items meanwhile.
    const { body, ...response } = fetched;
    const parsed = await deps.parser.parseFeedBody({
      body,
      contentType: response.contentType,
      feed: { id: feed.id, url: response.url },
      itemsPerFeed: options.itemsPerFeed,
      now: now.getTime(),
    });
    const expiredBefore = options.retentionDays ? now.getTime() - options.retentionDays * 86_400_000 : -Infinity;
    const items = parsed.items.filter((item) => !(item.publishedAt && item.publishedAt.getTime() < expiredBefore));
    const { toStore, fullText } = feed.fullText ? await withFullText(deps, feed.id, feed.url, items, log) : { toStore: items, fullText: undefined };
    // Idempotent (unique indexes), so a dropped connection can simply run it again.
    const stored = await retryTransient(() => storeItems(db, toStore, deps.assigner, now, deps.onAssignmentLockHeld));
    if (stored.storyIds.length > 0) announceChange(deps, { feedId: feed.id, storyIds: stored.storyIds }, log);
    await record({
      kind: 'ok',
      etag: response.etag,
      lastModified: response.lastModified,
      httpStatus: response.httpStatus,
      newItems: stored.inserted,
      charset: parsed.charset,
      nextFetchAt,
    });
    log.info(
      { entries: parsed.entries, new_items: stored.inserted, new_stories: stored.newStories, corrected: stored.corrected, charset: parsed.charset, full_text: fullText },
      'feed refreshed',
    );
    return {
      feedId: feed.id,
      outcome: 'ok',
      newItems: stored.inserted,
      newStories: stored.newStories,
      entries: parsed.entries,
      charset: parsed.charset,
    };
  } catch (thrown) {
    const err = toKhabarError(thrown);
    if (err.code === 'FETCH_ABORTED') {
      // Shutting down: hand the feed back for the next process, as if it had not been claimed.
      await retryTransient(() => releaseFeed(db, feed.id)).catch((releaseErr) => log.warn({ error: shortErrorMessage(releaseErr) }, 'could not release feed'));
      log.info('feed refresh aborted by shutdown');
      return { feedId: feed.id, outcome: 'error', code: err.code, message: err.message, nextFetchAt: state.nextFetchAt };
    }
    const status = typeof err.details.status === 'number' ? err.details.status : httpStatus;
    const nextFetchAt = backoff(now, state.consecutiveFailures + 1, err.details.retryAfterSeconds);
    const message = shortErrorMessage(err, MAX_ERROR_MESSAGE_CHARS);
    // Expected failures (network, HTTP, XML) are logged by code and their short message; the whole error, with any
    // query text, only at debug level.
    log.warn({ code: err.code, error: message, next_fetch_at: nextFetchAt.toISOString() }, 'feed refresh failed');
    log.debug({ err: thrown }, 'feed refresh failure detail');
    await recordFailure(deps, feed.id, { kind: 'error', code: err.code, message, httpStatus: status, nextFetchAt }, now, log);
    return { feedId: feed.id, outcome: 'error', code: err.code, message, nextFetchAt };
  }
}

/** A listener that throws is its own bug: it must not turn a stored refresh into a failed one. */
function announceChange(deps: RefreshDeps, change: StoriesChanged, log: Logger): void {
  try {
    deps.onStoriesChanged?.(change);
  } catch (err) {
    log.error({ error: shortErrorMessage(err) }, 'stories-changed listener failed');
  }
}

/** Delays before writing a failure again when the database refused it (it is down, or refused the row). */
const RECORD_RETRY_DELAYS_MS = [2_000, 10_000, 60_000, 300_000];

/**
 * A failure is always recorded: when the database refuses the write (it is down, say), that is logged, the feed's
 * lease is released so the next pass retries the feed, and the error state is written again in the background until
 * the database accepts it. A feed never stays `new` without an error code.
 */
async function recordFailure(deps: RefreshDeps, feedId: string, outcome: Extract<FetchOutcome, { kind: 'error' }>, failedAt: Date, log: Logger): Promise<void> {
  try {
    await retryTransient(() => recordFetchOutcome(deps.db, feedId, outcome));
    return;
  } catch (recordErr) {
    log.error({ code: outcome.code, error: shortErrorMessage(recordErr) }, 'could not record feed error; retrying in the background');
    log.debug({ err: recordErr }, 'record failure detail');
  }
  await releaseFeed(deps.db, feedId).catch((releaseErr) => log.warn({ error: shortErrorMessage(releaseErr) }, 'could not release feed'));
  let attempt = 0;
  const retry = () => {
    if (deps.signal?.aborted) return;
    // Conditional: a later fetch (the next pass, a replica) wins over this stale failure, and the lease is not touched.
    recordLateFailure(deps.db, feedId, outcome, failedAt).then(
      () => log.info({ attempts: attempt + 1 }, 'feed error recorded after retrying'),
      (err) => {
        attempt++;
        if (attempt < RECORD_RETRY_DELAYS_MS.length) setTimeout(retry, RECORD_RETRY_DELAYS_MS[attempt]).unref();
        else log.error({ error: shortErrorMessage(err) }, 'gave up recording feed error');
      },
    );
  };
  setTimeout(retry, RECORD_RETRY_DELAYS_MS[0]).unref();
}

/**
 * `full_text` feeds: the new items (and corrected ones) get their page's article. Not the ones stored before, nor entries that will not be
 * stored (a link another feed already holds, an entry retention deleted): each page is a request to the outlet, and
 * those would be fetched again on every refresh.
 */
async function withFullText(deps: RefreshDeps, feedId: string, feedUrl: string, items: Item[], log: Logger): Promise<{ toStore: Item[]; fullText: FullTextSummary }> {
  const known = await retryTransient(() => storedEntryDigests(deps.db, feedId, items.map((i) => i.entryKey)));
  // A stored entry the feed now gives with another digest is the outlet's correction: its page is read again too. Not one
  // stored without a digest or with one of an older version: storeItems records the new digest without comparing, so the
  // page is not fetched again on every refresh (nor for every stored entry once after an upgrade).
  const corrected = (i: Item) => known.has(i.entryKey) && compareSourceDigests(known.get(i.entryKey) ?? null, i.sourceDigest) === 'changed';
  const unseen = await retryTransient(() => withoutPrunedEntries(deps.db, items.filter((i) => !known.has(i.entryKey))));
  const links = unseen.flatMap((i) => (i.canonicalLink ? [i.canonicalLink] : []));
  const owners = links.length ? await retryTransient(() => canonicalLinkOwners(deps.db, links)) : new Map<string, string>();
  const fresh = [...unseen.filter((i) => !i.canonicalLink || !owners.has(i.canonicalLink)), ...items.filter(corrected)];
  // A feed on a private address (a local RSSHub, an intranet) may link to its own origin; no other private address.
  const trustedOrigin = fresh.length > 0 && (await hasNonPublicHost(feedUrl, deps.resolve)) ? new URL(feedUrl).origin : null;
  const filled = await fetchFullText(fresh, { ...deps.options, parser: deps.parser, signal: deps.signal, trustedOrigin, resolve: deps.resolve }, log);
  const byKey = new Map(filled.items.map((i) => [i.entryKey, i]));
  return { toStore: items.map((i) => byKey.get(i.entryKey) ?? i), fullText: filled.summary };
}

function nextScheduledFetch(now: Date, refreshMinutes: number | null): Date {
  // No per-feed interval: due again at the next worker tick.
  return new Date(now.getTime() + (refreshMinutes ?? 0) * 60_000);
}

function backoff(now: Date, failures: number, retryAfterSeconds: unknown): Date {
  const minutes = Math.min(BACKOFF_BASE_MINUTES * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MINUTES);
  const retryAfterMs = typeof retryAfterSeconds === 'number' && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : 0;
  return new Date(now.getTime() + Math.max(minutes * 60_000, Math.min(retryAfterMs, 24 * 3600_000)));
}

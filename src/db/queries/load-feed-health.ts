import { asc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { feeds, feedStates } from '../schema.js';

export interface FeedHealth {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  lastOutcome: string;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  consecutiveFailures: number;
  lastFetchedAt: Date | null;
  lastSuccessAt: Date | null;
  nextFetchAt: Date | null;
  lastCharset: string | null;
}

/** Every feed with its health columns, for `khabar status`. */
export async function loadFeedHealth(db: Database): Promise<FeedHealth[]> {
  return db
    .select({
      id: feeds.id,
      name: feeds.name,
      url: feeds.url,
      enabled: feeds.enabled,
      lastOutcome: feedStates.lastOutcome,
      lastErrorCode: feedStates.lastErrorCode,
      lastErrorMessage: feedStates.lastErrorMessage,
      consecutiveFailures: feedStates.consecutiveFailures,
      lastFetchedAt: feedStates.lastFetchedAt,
      lastSuccessAt: feedStates.lastSuccessAt,
      nextFetchAt: feedStates.nextFetchAt,
      lastCharset: feedStates.lastCharset,
    })
    .from(feeds)
    .innerJoin(feedStates, eq(feedStates.feedId, feeds.id))
    .orderBy(asc(feeds.id))
    .then((rows) => rows.map((r) => ({ ...r, lastOutcome: r.lastOutcome ?? 'new', consecutiveFailures: r.consecutiveFailures ?? 0 })));
}

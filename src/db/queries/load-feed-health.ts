import { asc, eq, sql } from 'drizzle-orm';
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
  fullText: boolean;
  /** The lease in force now, if a process is refreshing the feed: its `hostname:pid` (null if not recorded) and end. */
  leaseOwner: string | null;
  leaseUntil: Date | null;
  /** Items stored from this feed. */
  items: number;
  /** Median words of the text of its last 20 items (null before any): tells a feed of leads from one of articles. */
  typicalWords: number | null;
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
      fullText: feeds.fullText,
      // An expired lease holds nothing (the next claim takes the feed), so it is not shown.
      leaseActive: sql<boolean>`coalesce(${feedStates.leaseUntil} > now(), false)`,
      leaseOwner: feedStates.leaseOwner,
      leaseUntil: feedStates.leaseUntil,
      items: sql<number>`(select count(*)::int from items i where i.feed_id = ${feeds.id})`,
      typicalWords: sql<number | null>`(
        select percentile_disc(0.5) within group (order by t.words) from (
          select case when btrim(i.content_text) = '' then 0
                      else array_length(regexp_split_to_array(btrim(i.content_text), '[[:space:]]+'), 1) end as words
          from items i where i.feed_id = ${feeds.id} order by i.id desc limit 20) t)`,
    })
    .from(feeds)
    .innerJoin(feedStates, eq(feedStates.feedId, feeds.id))
    .orderBy(asc(feeds.id))
    .then((rows) =>
      rows.map(({ leaseActive, leaseOwner, leaseUntil, ...r }) => ({
        ...r,
        leaseOwner: leaseActive ? leaseOwner : null,
        leaseUntil: leaseActive ? leaseUntil : null,
        lastOutcome: r.lastOutcome ?? 'new',
        consecutiveFailures: r.consecutiveFailures ?? 0,
        items: Number(r.items ?? 0),
        typicalWords: r.typicalWords == null ? null : Number(r.typicalWords),
      })),
    );
}

import { and, asc, eq, inArray, isNull, lte, notInArray, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { feeds, feedStates, type FeedRow, type FeedStateRow } from '../schema.js';

export interface ClaimedFeed {
  feed: FeedRow;
  state: FeedStateRow;
}

export interface ClaimDueFeedsOptions {
  limit: number;
  /** How long the claim holds; a worker that dies mid-fetch loses it after this. */
  leaseSeconds: number;
  /** Claim every enabled feed not leased by someone else, due or not (`fetch --once`). */
  ignoreSchedule?: boolean;
  /** Only these feeds. */
  feedIds?: string[];
  /** Never these (already refreshed in this pass). */
  excludeIds?: string[];
}

/**
 * Takes up to `limit` due feeds for this worker. FOR UPDATE SKIP LOCKED plus a lease means replicas never fetch the
 * same feed at once, and a crashed worker's feeds come back after the lease.
 */
export async function claimDueFeeds(db: Database, options: ClaimDueFeedsOptions): Promise<ClaimedFeed[]> {
  return db.transaction(async function claimDueFeedsTransaction(tx) {
    const conditions = [
      eq(feeds.enabled, true),
      or(isNull(feedStates.leaseUntil), lte(feedStates.leaseUntil, sql`now()`)),
    ];
    if (!options.ignoreSchedule) conditions.push(lte(feedStates.nextFetchAt, sql`now()`));
    if (options.excludeIds?.length) conditions.push(notInArray(feedStates.feedId, options.excludeIds));
    if (options.feedIds) conditions.push(inArray(feedStates.feedId, options.feedIds.length ? options.feedIds : ['']));
    const due = await tx
      .select({ feedId: feedStates.feedId })
      .from(feedStates)
      .innerJoin(feeds, eq(feeds.id, feedStates.feedId))
      .where(and(...conditions))
      .orderBy(asc(feedStates.nextFetchAt), asc(feedStates.feedId))
      .limit(options.limit)
      .for('update', { of: feedStates, skipLocked: true });
    if (due.length === 0) return [];
    const states = await tx
      .update(feedStates)
      .set({ leaseUntil: sql`now() + make_interval(secs => ${options.leaseSeconds})` })
      .where(inArray(feedStates.feedId, due.map((d) => d.feedId)))
      .returning();
    const feedRows = await tx.select().from(feeds).where(inArray(feeds.id, due.map((d) => d.feedId)));
    const byId = new Map(feedRows.map((f) => [f.id, f]));
    return states
      .map((state) => ({ feed: byId.get(state.feedId)!, state }))
      .sort((a, b) => a.state.nextFetchAt.getTime() - b.state.nextFetchAt.getTime());
  });
}

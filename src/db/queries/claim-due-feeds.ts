import { hostname } from 'node:os';
import { and, asc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { textArray } from '../text-array.js';
import { queryRows, type Database } from '../client.js';
import { feeds, feedStates, type FeedRow, type FeedStateRow } from '../schema.js';

export interface ClaimedFeed {
  feed: FeedRow;
  state: FeedStateRow;
}

export interface ClaimDueFeedsOptions {
  limit: number;
  /** How long the claim holds; a worker that dies mid-fetch loses it after this. */
  leaseSeconds: number;
  /** Stored as `lease_owner`, `hostname:pid` (leaseOwnerOf), to tell who holds a lease. */
  owner?: string;
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
    // One array parameter, not one per id: a pass excludes every feed it refreshed, hundreds by its end.
    if (options.excludeIds?.length) conditions.push(sql`${feedStates.feedId} <> all(${textArray(options.excludeIds)}::text[])`);
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
      .set({ leaseUntil: sql`now() + make_interval(secs => ${options.leaseSeconds})`, leaseOwner: options.owner ?? null })
      .where(inArray(feedStates.feedId, due.map((d) => d.feedId)))
      .returning();
    const feedRows = await tx.select().from(feeds).where(inArray(feeds.id, due.map((d) => d.feedId)));
    const byId = new Map(feedRows.map((f) => [f.id, f]));
    return states
      .map((state) => ({ feed: byId.get(state.feedId)!, state }))
      .sort((a, b) => a.state.nextFetchAt.getTime() - b.state.nextFetchAt.getTime());
  });
}

/** The name a process stores in `lease_owner`: `hostname:pid`. */
export function leaseOwnerOf(host: string = hostname(), pid: number = process.pid): string {
  return `${host}:${pid}`;
}

export interface LeaseHolder {
  /** null: taken by a release that did not record owners. */
  owner: string | null;
  until: Date;
}

/** The leases in force now (the database's clock, as the claim uses) of these feeds. */
export async function loadLeaseHolders(db: Database, feedIds: string[]): Promise<Map<string, LeaseHolder>> {
  if (feedIds.length === 0) return new Map();
  const rows = await db
    .select({ feedId: feedStates.feedId, owner: feedStates.leaseOwner, until: feedStates.leaseUntil })
    .from(feedStates)
    .where(and(inArray(feedStates.feedId, feedIds), gt(feedStates.leaseUntil, sql`now()`)));
  return new Map(rows.map((r) => [r.feedId, { owner: r.owner, until: r.until! }]));
}

/**
 * Ends every lease in the database, for a caller that knows no other process can hold one (PGlite under its folder
 * lock): they were left by a process that died mid-refresh, and would keep its feeds for minutes. It runs before
 * migrations, so it reads which columns exist: none on a new database, no `lease_owner` before migration 0005.
 * Returns how many leases it ended.
 */
export async function releaseLeftLeases(db: Database): Promise<number> {
  const columns = await queryRows<{ column_name: string }>(
    db,
    sql`select column_name from information_schema.columns
        where table_schema = current_schema() and table_name = 'feed_states' and column_name in ('lease_until', 'lease_owner')`,
  );
  const present = new Set(columns.map((c) => c.column_name));
  if (!present.has('lease_until')) return 0;
  const clearOwner = present.has('lease_owner') ? sql`, lease_owner = null` : sql``;
  const released = await queryRows<{ feed_id: string }>(
    db,
    sql`update feed_states set lease_until = null${clearOwner} where lease_until is not null returning feed_id`,
  );
  return released.length;
}

import { asc, eq, max, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';
import { feeds, feedStates, items } from '../schema.js';
import { ACTIVITY_HOURS, activityStart, JOINED_SHARE_DAYS } from '../../domain/source-activity.js';
import type { SourceFacts } from '../../domain/source-facts.js';

export { ACTIVITY_HOURS, activityStart, JOINED_SHARE_DAYS };

const HOUR_MS = 3_600_000;

/** One source's facts as this query reads them (the shape lives in domain/, shared with the status page). */
export type SourceStatusRow = SourceFacts;

/**
 * Every feed with its health and its activity. An item counts at the hour it appeared: its publication time, but no
 * later than it was fetched (future dates) and only if fetched in the window (so one index range bounds the scan).
 * An item "joined another outlet's story" when its story already held an item of another feed (stored before it).
 */
export async function loadSourceStatus(db: Database, now: Date): Promise<SourceStatusRow[]> {
  const nowParam = sql`${now.toISOString()}::timestamptz`;
  // Whole clock hours: the counts move when an hour ends or an item arrives, not with every request.
  const hoursEnd = sql`${new Date(activityStart(now).getTime() + ACTIVITY_HOURS * HOUR_MS).toISOString()}::timestamptz`;
  const rows = await db
    .select({
      id: feeds.id,
      name: feeds.name,
      url: feeds.url,
      category: feeds.category,
      enabled: feeds.enabled,
      lastOutcome: feedStates.lastOutcome,
      consecutiveFailures: feedStates.consecutiveFailures,
      failingSince: feedStates.failingSince,
      lastErrorCode: feedStates.lastErrorCode,
      lastErrorMessage: feedStates.lastErrorMessage,
      lastFetchedAt: feedStates.lastFetchedAt,
      lastSuccessAt: feedStates.lastSuccessAt,
      nextFetchAt: feedStates.nextFetchAt,
    })
    .from(feeds)
    .leftJoin(feedStates, eq(feedStates.feedId, feeds.id))
    .orderBy(asc(feeds.id));
  const hourly = await queryRows<{ feed_id: string; age: number; n: number }>(db, sql`
    select t.feed_id, t.age, count(*)::int as n from (
      select i.feed_id,
             floor(extract(epoch from (${hoursEnd} - least(coalesce(i.published_at, i.fetched_at), i.fetched_at))) / 3600)::int as age
      from items i
      where i.fetched_at >= ${hoursEnd} - make_interval(hours => ${ACTIVITY_HOURS}) and i.fetched_at <= ${nowParam}) t
    where t.age >= 0 and t.age < ${ACTIVITY_HOURS}
    group by t.feed_id, t.age`);
  const joined = await queryRows<{ feed_id: string; items: number; joined: number; last24h: number }>(db, sql`
    select i.feed_id, count(*)::int as items,
           count(*) filter (where least(coalesce(i.published_at, i.fetched_at), i.fetched_at) > ${nowParam} - interval '24 hours')::int as last24h,
           count(*) filter (where exists (
             select 1 from items o where o.story_id = i.story_id and o.feed_id <> i.feed_id and o.id < i.id))::int as joined
    from items i
    where i.fetched_at > ${nowParam} - make_interval(days => ${JOINED_SHARE_DAYS}) and i.fetched_at <= ${nowParam}
    group by i.feed_id`);
  const perHour = new Map<string, number[]>();
  for (const r of hourly) {
    const counts = perHour.get(r.feed_id) ?? new Array<number>(ACTIVITY_HOURS).fill(0);
    counts[ACTIVITY_HOURS - 1 - Number(r.age)] = Number(r.n);
    perHour.set(r.feed_id, counts);
  }
  const shares = new Map(joined.map((r) => [r.feed_id, { items: Number(r.items), joined: Number(r.joined), last24h: Number(r.last24h) }]));
  return rows.map((r) => ({
    ...r,
    lastOutcome: r.lastOutcome ?? 'new',
    consecutiveFailures: r.consecutiveFailures ?? 0,
    itemsPerHour: perHour.get(r.id) ?? new Array<number>(ACTIVITY_HOURS).fill(0),
    itemsLast24h: shares.get(r.id)?.last24h ?? 0,
    recentItems: shares.get(r.id)?.items ?? 0,
    joinedItems: shares.get(r.id)?.joined ?? 0,
  }));
}

/**
 * Changes when a fetch is recorded, an item stored or feeds.yaml synced. The status page also changes with the
 * clock (ages, the 48-hour window): the caller adds the minute.
 */
export async function sourceStatusVersion(db: Database): Promise<string> {
  const [s] = await db.select({ at: max(feedStates.updatedAt) }).from(feedStates);
  const [f] = await db.select({ at: max(feeds.updatedAt) }).from(feeds);
  const [i] = await db.select({ id: max(items.id) }).from(items);
  return [s?.at?.getTime?.() ?? 0, f?.at?.getTime?.() ?? 0, i?.id ?? 0].join(':');
}

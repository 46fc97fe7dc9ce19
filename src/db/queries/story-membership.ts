import { inArray, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../client.js';
import { stories } from '../schema.js';

export interface NewStory {
  /** The item that starts the story (its first representative). */
  itemId: number;
  firstSeenAt: Date;
}

/** Starts one story per entry, in one statement. Returns the story id of each starting item. */
export async function createStories(db: Database, starts: NewStory[]): Promise<Map<number, number>> {
  if (starts.length === 0) return new Map();
  const rows = await db
    .insert(stories)
    .values(starts.map((s) => ({ representativeItemId: s.itemId, firstSeenAt: s.firstSeenAt, updatedAt: s.firstSeenAt, itemCount: 1 })))
    .returning({ id: stories.id, itemId: stories.representativeItemId });
  return new Map(rows.map((r) => [r.itemId!, r.id]));
}

/** Where one new item goes, for placeItems: a story of its own, a known story, or the story of another item. */
export type ItemPlacement =
  | { itemId: number; start: Date }
  | { itemId: number; storyId: number }
  /** The story of `anchorItemId`: an item stored before (its story_id), or one of this call's starting items. */
  | { itemId: number; anchorItemId: number };

/**
 * Starts the stories, resolves the stories of anchor items and points every item at its story, in one statement (the
 * story writes run under the assignment lock, where each round trip counts). Returns each item's story; an item whose
 * anchor has no story (it should not happen: an anchor is a stored item with its story) is left out, for the caller
 * to start a story for it rather than lose it.
 */
export async function placeItems(db: Database, placements: ItemPlacement[]): Promise<Map<number, number>> {
  if (placements.length === 0) return new Map();
  const starts = placements.filter((p): p is { itemId: number; start: Date } => 'start' in p);
  const ids = (values: Array<number | null>) => `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;
  const rows = await queryRows<{ item_id: string | number; story_id: string | number }>(
    db,
    sql`with started as (
          insert into stories (representative_item_id, first_seen_at, updated_at, item_count)
          select n.item_id, n.t, n.t, 1
          from unnest(${ids(starts.map((p) => p.itemId))}::bigint[], ${`{${starts.map((p) => `"${p.start.toISOString()}"`).join(',')}}`}::timestamptz[]) as n(item_id, t)
          returning id, representative_item_id
        ), placed as (
          select p.item_id, coalesce(p.story_id, s.id, a.story_id) as story_id
          from unnest(${ids(placements.map((p) => p.itemId))}::bigint[],
                      ${ids(placements.map((p) => ('storyId' in p ? p.storyId : null)))}::bigint[],
                      ${ids(placements.map((p) => ('start' in p ? p.itemId : 'anchorItemId' in p ? p.anchorItemId : null)))}::bigint[])
            as p(item_id, story_id, anchor)
          left join started s on s.representative_item_id = p.anchor
          left join items a on a.id = p.anchor and s.id is null
        ), pointed as (
          update items set story_id = placed.story_id from placed where items.id = placed.item_id and placed.story_id is not null
        )
        select item_id, story_id from placed where story_id is not null`,
  );
  return new Map(rows.map((r) => [Number(r.item_id), Number(r.story_id)]));
}

/** Points each item at its story, in one statement. */
export async function setItemStories(db: Database, assignments: Array<{ itemId: number; storyId: number }>): Promise<void> {
  if (assignments.length === 0) return;
  const values = sql.join(
    assignments.map((a) => sql`(${a.itemId}::bigint, ${a.storyId}::bigint)`),
    sql`, `,
  );
  await db.execute(sql`update items set story_id = v.story_id from (values ${values}) as v(item_id, story_id) where items.id = v.item_id`);
}

/**
 * A story's representative, by the documented rule: the feed with the highest `priority` first, then the most complete
 * text (longest), then the earliest stored.
 */
const representativePick = sql`(
  select i.id from items i join feeds f on f.id = i.feed_id
  where i.story_id = ${stories.id}
  order by f.priority desc, length(i.content_text) desc, i.id asc
  limit 1)`;

/**
 * A story's updated time: the clock when the statement runs, not the transaction's start (now()). These updates run
 * under the assignment lock, which is held to commit, so clock time orders them as they commit; a transaction's start
 * does not (a worker starts, reads ahead, then waits for the lock while others commit), and a later commit stamped
 * with an earlier time would leave publishedVersion's max where it was: the served feeds would not rebuild.
 */
const storyClock = sql`clock_timestamp()`;

export interface RefreshStoriesOptions {
  /**
   * Members left the story (an operator's split): `first_seen_at` is its earliest remaining member's time, which may be
   * later than before. Without it the time only ever moves earlier.
   */
  membersLeft?: boolean;
}

/**
 * After outlets joined: recount, move `updated_at` (readers see an update, not a new entry: the guid stays) and re-pick
 * the representative (representativePick). `first_seen_at` becomes the earliest member's time.
 */
export async function refreshStories(db: Database, storyIds: number[], options: RefreshStoriesOptions = {}): Promise<void> {
  if (storyIds.length === 0) return;
  const earliestMember = sql`(
        select min(least(coalesce(i.published_at, i.fetched_at), i.fetched_at)) from items i where i.story_id = ${stories.id})`;
  await db
    .update(stories)
    .set({
      itemCount: sql`(select count(*)::int from items i where i.story_id = ${stories.id})`,
      representativeItemId: representativePick,
      firstSeenAt: options.membersLeft ? sql`coalesce(${earliestMember}, ${stories.firstSeenAt})` : sql`least(${stories.firstSeenAt}, ${earliestMember})`,
      updatedAt: storyClock,
    })
    .where(inArray(stories.id, storyIds));
}

/**
 * After corrections: re-picks the representative of each story by the same rule as refreshStories, and moves
 * `updated_at` only where what the story's entry shows changed: a member's headline (`titleChanged`, story ids), the
 * representative's text (it is one of `correctedItems`), or which item represents it; the others keep their time, so
 * readers see no update where nothing shown changed.
 */
export async function refreshCorrectedStories(db: Database, storyIds: number[], titleChanged: number[], correctedItems: number[]): Promise<void> {
  if (storyIds.length === 0) return;
  const ids = (values: number[]) => `{${values.join(',')}}`;
  await db
    .update(stories)
    .set({
      updatedAt: sql`case when ${stories.id} = any(${ids(titleChanged)}::bigint[])
                            or ${stories.representativeItemId} = any(${ids(correctedItems)}::bigint[])
                            or ${representativePick} is distinct from ${stories.representativeItemId}
                          then ${storyClock} else ${stories.updatedAt} end`,
      representativeItemId: representativePick,
    })
    .where(inArray(stories.id, storyIds));
}

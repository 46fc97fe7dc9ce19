import { eq, sql } from 'drizzle-orm';
import { ADVISORY_LOCKS } from '../advisory-locks.js';
import { queryRows, type Database } from '../client.js';
import { KhabarError } from '../../errors.js';
import { stories, storyOverrides } from '../schema.js';
import { bumpDedupGeneration } from './dedup-generation.js';
import { createStories, refreshStories } from './story-membership.js';

/**
 * An operator's corrections of dedup: `khabar story split` and `khabar story merge`. Each runs in one transaction under
 * the story-assignment lock (no worker assigns meanwhile), moves the items, keeps dedup's index in agreement with the
 * stories, records the override in `story_overrides`, and refreshes the stories it touched (count, representative,
 * first-seen and updated time: the published feeds' version moves, so they are rebuilt on the next request).
 *
 * Dedup's index names a story by the item key of its first item (`dedup_entries.story_key`); the worker finds khabar's
 * story through that item's `story_id`. Here such a keyed group is a *part*: a story is one part, or several after a
 * merge. The invariant both commands keep: every entry's part root is an item of the same story as the entry's item.
 */

export interface SplitOptions {
  /** Move only the item, not what joined through it. */
  alone?: boolean;
}

export interface SplitResult {
  storyId: number;
  itemId: number;
  /** The story made for the item and what joined through it. */
  newStoryId: number;
  newGuid: string;
  /** Every item moved, the named one first. */
  movedItemIds: number[];
  /** Items left in the story. */
  remaining: number;
}

export interface MergeResult {
  storyId: number;
  mergedStoryId: number;
  mergedGuid: string;
  movedItemIds: number[];
  /** Items in the story now. */
  itemCount: number;
  /** Splits between the two stories that this merge undid. */
  undoneSplits: number;
}

type MemberRow = {
  id: string | number;
  story_key: string | null;
  matched_key: string | null;
  seq: string | number | null;
  story_time: string | Date;
};

/**
 * Moves an item, and what joined the story through it, into a story of its own. "Joined through" is what dedup
 * recorded: each entry's `matched_key` is the member it matched when it joined, so the moved items are the named one
 * and, transitively, the members that matched one of them (entries stored before that column have none, and stay).
 * The moved items become their own dedup part (keyed by the named item); when the named item was its part's root,
 * the members left behind are keyed by their earliest. The two stories are recorded apart: an item that matches both
 * goes with the side of its closest member (assign-story.ts, `apartFrom`).
 */
export async function splitStory(db: Database, storyId: number, itemId: number, options: SplitOptions = {}): Promise<SplitResult> {
  return db.transaction(async function splitStoryTransaction(tx) {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCKS.storyAssignment})`);
    await bumpDedupGeneration(tx);
    await requireStory(tx, storyId);
    const members = await queryRows<MemberRow>(
      tx,
      sql`select i.id, e.story_key, e.matched_key, e.seq, least(coalesce(i.published_at, i.fetched_at), i.fetched_at) as story_time
          from items i left join dedup_entries e on e.item_key = i.id::text
          where i.story_id = ${storyId} order by e.seq nulls last, i.id`,
    );
    if (!members.some((m) => Number(m.id) === itemId)) {
      const [elsewhere] = await queryRows<{ story_id: string | number | null }>(tx, sql`select story_id from items where id = ${itemId}`);
      const where = !elsewhere ? 'no item has this id' : elsewhere.story_id === null ? 'it has no story' : `it is in story ${elsewhere.story_id}`;
      throw new KhabarError('STORY_ITEM_NOT_IN_STORY', `item ${itemId} is not in story ${storyId} (${where})`, { details: { storyId, itemId } });
    }
    const moved = options.alone ? new Set([String(itemId)]) : joinedThrough(String(itemId), members);
    if (moved.size === members.length) {
      throw new KhabarError(
        'STORY_SPLIT_WHOLE',
        members.length === 1
          ? `story ${storyId} has only item ${itemId}: nothing to split`
          : `every item of story ${storyId} joined through item ${itemId}: nothing would be left (--alone moves only the item)`,
        { details: { storyId, itemId } },
      );
    }
    const movedRows = members.filter((m) => moved.has(String(m.id)));
    const firstSeenAt = new Date(Math.min(...movedRows.map((m) => new Date(m.story_time).getTime())));
    const newStoryId = (await createStories(tx, [{ itemId, firstSeenAt }])).get(itemId)!;
    const movedIds = [itemId, ...movedRows.map((m) => Number(m.id)).filter((id) => id !== itemId)];
    const idList = `{${movedIds.join(',')}}`;
    await tx.execute(sql`update items set story_id = ${newStoryId} where id = any(${idList}::bigint[])`);
    // Parts whose root moved: the members left behind take their earliest as root.
    const leftParts = new Set(movedRows.flatMap((m) => (m.story_key !== null && moved.has(m.story_key) ? [m.story_key] : [])));
    for (const part of leftParts) {
      const rest = members.filter((m) => m.story_key === part && !moved.has(String(m.id)));
      if (rest.length === 0) continue;
      await tx.execute(
        sql`update dedup_entries set story_key = ${String(rest[0].id)} where item_key = any(${`{${rest.map((m) => m.id).join(',')}}`}::text[])`,
      );
    }
    await tx.execute(sql`update dedup_entries set story_key = ${String(itemId)} where item_key = any(${idList}::text[])`);
    await tx.insert(storyOverrides).values({ kind: 'split', storyId, itemId, splitStoryId: newStoryId });
    await refreshStories(tx, [storyId, newStoryId], { membersLeft: true });
    const [made] = await tx.select({ guid: stories.guid }).from(stories).where(eq(stories.id, newStoryId));
    return { storyId, itemId, newStoryId, newGuid: made.guid, movedItemIds: movedIds, remaining: members.length - moved.size };
  });
}

/** The item and, transitively, the members whose recorded match is one of them (members are in dedup order). */
function joinedThrough(itemKey: string, members: MemberRow[]): Set<string> {
  const through = new Set([itemKey]);
  // A member joins after the member it matched, so one pass in dedup order finds every descendant; entries without a
  // seq (no dedup entry) match nothing.
  for (const m of members) if (m.matched_key !== null && through.has(m.matched_key)) through.add(String(m.id));
  return through;
}

/**
 * Joins story `fromId` into story `intoId`: its items move, its row is deleted, and its id and guid are kept as an
 * alias (`/stories/{from}` redirects). Dedup's parts stay as they were (each keeps its own anchor members, so new copies
 * of either report still find their part), and both parts now resolve to the one story. Overrides naming the merged
 * story now name the kept one; a split between the two is undone.
 */
export async function mergeStories(db: Database, intoId: number, fromId: number): Promise<MergeResult> {
  if (intoId === fromId) throw mergeSelf(intoId);
  return db.transaction(async function mergeStoriesTransaction(tx) {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCKS.storyAssignment})`);
    // The parts apart from each other change with the stories: batches read before the lock read again.
    await bumpDedupGeneration(tx);
    await requireStory(tx, intoId);
    const from = await requireStory(tx, fromId);
    const moved = await queryRows<{ id: string | number }>(tx, sql`update items set story_id = ${intoId} where story_id = ${fromId} returning id`);
    // Before the row goes: its foreign keys would delete these overrides.
    await tx.execute(sql`update story_overrides set story_id = ${intoId} where story_id = ${fromId}`);
    await tx.execute(sql`update story_overrides set split_story_id = ${intoId} where split_story_id = ${fromId}`);
    const undone = await queryRows<{ id: string | number }>(
      tx,
      sql`delete from story_overrides where kind = 'split' and story_id = split_story_id returning id`,
    );
    await tx.insert(storyOverrides).values({ kind: 'merge', storyId: intoId, mergedStoryId: fromId, mergedGuid: from.guid });
    await tx.delete(stories).where(eq(stories.id, fromId));
    await refreshStories(tx, [intoId]);
    const [kept] = await tx.select({ itemCount: stories.itemCount }).from(stories).where(eq(stories.id, intoId));
    return {
      storyId: intoId,
      mergedStoryId: fromId,
      mergedGuid: from.guid,
      movedItemIds: moved.map((r) => Number(r.id)).sort((a, b) => a - b),
      itemCount: kept.itemCount,
      undoneSplits: undone.length,
    };
  });
}

/** The story a merged story's id now leads to, or null when the id was never merged. */
export async function mergedInto(db: Database, storyId: number): Promise<number | null> {
  const [row] = await db.select({ storyId: storyOverrides.storyId }).from(storyOverrides).where(eq(storyOverrides.mergedStoryId, storyId));
  return row?.storyId ?? null;
}

export interface StoryMember {
  itemId: number;
  feedId: string;
  title: string;
  link: string | null;
  storyTime: Date;
  /** The member it matched when it joined (what `split` follows), null when it started its part or is older than that record. */
  joinedThrough: number | null;
  /** It started its dedup part (the story, or a part merged into it). */
  first: boolean;
  representative: boolean;
}

/** A story's members in dedup order, for `khabar story show` (what an operator needs to name an item to split). */
export async function loadStoryMembers(db: Database, storyId: number): Promise<{ storyId: number; guid: string; members: StoryMember[] }> {
  const story = await requireStory(db, storyId);
  const rows = await queryRows<{ id: string | number; feed_id: string; title: string; link: string | null; story_time: string | Date; matched_key: string | null; story_key: string | null }>(
    db,
    sql`select i.id, i.feed_id, i.title, i.link, least(coalesce(i.published_at, i.fetched_at), i.fetched_at) as story_time, e.matched_key, e.story_key
        from items i left join dedup_entries e on e.item_key = i.id::text
        where i.story_id = ${storyId} order by e.seq nulls last, i.id`,
  );
  const ids = new Set(rows.map((r) => String(r.id)));
  return {
    storyId,
    guid: story.guid,
    members: rows.map((r) => ({
      itemId: Number(r.id),
      feedId: r.feed_id,
      title: r.title,
      link: r.link,
      storyTime: new Date(r.story_time),
      joinedThrough: r.matched_key !== null && ids.has(r.matched_key) ? Number(r.matched_key) : null,
      first: r.story_key === String(r.id),
      representative: Number(r.id) === story.representativeItemId,
    })),
  };
}

/** The story row, or STORY_NOT_FOUND (saying where a merged story went). */
async function requireStory(db: Database, storyId: number): Promise<{ guid: string; representativeItemId: number | null }> {
  const [row] = await db.select({ guid: stories.guid, representativeItemId: stories.representativeItemId }).from(stories).where(eq(stories.id, storyId));
  if (row) return row;
  const into = await mergedInto(db, storyId);
  throw new KhabarError('STORY_NOT_FOUND', into === null ? `no story ${storyId}` : `no story ${storyId}: it was merged into story ${into}`, {
    details: { storyId, mergedInto: into },
  });
}

function mergeSelf(storyId: number): KhabarError {
  return new KhabarError('STORY_MERGE_SELF', `cannot merge story ${storyId} with itself`, { details: { storyId } });
}

import { eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { items, stories } from '../schema.js';

/** Starts a story whose only outlet is this item. Returns the story id. */
export async function createStory(db: Database, itemId: number, firstSeenAt: Date): Promise<number> {
  const [story] = await db
    .insert(stories)
    .values({ representativeItemId: itemId, firstSeenAt, updatedAt: firstSeenAt, itemCount: 1 })
    .returning({ id: stories.id });
  await db.update(items).set({ storyId: story.id }).where(eq(items.id, itemId));
  return story.id;
}

/**
 * Adds an item to an existing story and re-picks the representative by the documented rule: the feed with the highest
 * `priority` first, then the most complete text (longest), then the earliest stored. The story's guid never changes.
 */
export async function joinStory(db: Database, storyId: number, itemId: number, seenAt: Date): Promise<void> {
  await db.update(items).set({ storyId }).where(eq(items.id, itemId));
  await db
    .update(stories)
    .set({
      itemCount: sql`(select count(*)::int from ${items} where ${items.storyId} = ${storyId})`,
      representativeItemId: sql`(
        select i.id from items i join feeds f on f.id = i.feed_id
        where i.story_id = ${storyId}
        order by f.priority desc, length(i.content_text) desc, i.id asc
        limit 1)`,
      firstSeenAt: sql`least(${stories.firstSeenAt}, ${seenAt.toISOString()}::timestamptz)`,
      updatedAt: sql`now()`,
    })
    .where(eq(stories.id, storyId));
}

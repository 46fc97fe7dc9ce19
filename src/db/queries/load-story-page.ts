import { asc, count, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { feeds, items, stories } from '../schema.js';
import type { StoryPage, StoryPageMember } from '../../domain/story-page.js';

/** The story page's data, as this query reads it (the shapes live in domain/, shared with the renderer). */
export type StoryPageMemberRow = StoryPageMember;
export type StoryPageRow = StoryPage;

/**
 * A page lists each member's text: past this many the page would be megabytes for a reader who only wanted to see
 * who carried the story, so the rest are counted, not shown.
 */
export const MAX_STORY_PAGE_MEMBERS = 100;

/** One story with its members' texts, for the story page; null when no story has this id or it has no member. */
export async function loadStoryPage(db: Database, storyId: number, maxMembers = MAX_STORY_PAGE_MEMBERS): Promise<StoryPageRow | null> {
  const [head] = await db
    .select({ storyId: stories.id, firstSeenAt: stories.firstSeenAt, updatedAt: stories.updatedAt, representativeItemId: stories.representativeItemId })
    .from(stories)
    .where(eq(stories.id, storyId));
  if (!head) return null;
  const members = await db
    .select({
      itemId: items.id,
      feedId: items.feedId,
      outlet: feeds.name,
      title: items.title,
      link: items.link,
      contentText: items.contentText,
      author: items.author,
      publishedAt: items.publishedAt,
      fetchedAt: items.fetchedAt,
    })
    .from(items)
    .innerJoin(feeds, eq(feeds.id, items.feedId))
    .where(eq(items.storyId, storyId))
    // The representative first, so a long story never cuts it off; then publication order.
    .orderBy(
      sql`${items.id} = ${head.representativeItemId ?? -1} desc`,
      sql`coalesce(${items.publishedAt}, ${items.fetchedAt})`,
      asc(items.id),
    )
    .limit(maxMembers);
  if (members.length === 0) return null;
  let memberCount = members.length;
  let outletCount = new Set(members.map((m) => m.feedId)).size;
  if (members.length === maxMembers) {
    const [totals] = await db
      .select({ members: count(), outlets: sql<number>`count(distinct ${items.feedId})`.mapWith(Number) })
      .from(items)
      .where(eq(items.storyId, storyId));
    memberCount = totals?.members ?? memberCount;
    outletCount = totals?.outlets ?? outletCount;
  }
  return { ...head, members, memberCount, outletCount };
}

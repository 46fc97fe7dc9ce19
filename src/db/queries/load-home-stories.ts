import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import { feeds, items, stories } from '../schema.js';

/** One story as the home and search pages list it: headline, a short lead and the outlets that carried it. */
export interface StoryCardRow {
  id: number;
  title: string;
  /** The representative item's text, cut to LEAD_CHARS (the page clamps it to two lines). */
  lead: string;
  link: string | null;
  firstSeenAt: Date;
  updatedAt: Date;
  category: string | null;
  /** One entry per outlet (feed), the representative's first, then in publication order. */
  outlets: Array<{ feedId: string; name: string; link: string | null }>;
}

export interface StoryPageQuery {
  /** Only stories that a feed of this category carried; null: every story. */
  category?: string | null;
  /** Cursor: stories listed after this story id (older), in the page's order. */
  beforeId?: number | null;
  limit: number;
}

/** Enough for two lines on a wide screen; the rest of a 100k-character article is never read. */
const LEAD_CHARS = 320;

/** The newest stories for the home page (or a category tab), newest first, `limit` of them after `beforeId`. */
export async function loadHomeStories(db: Database, query: StoryPageQuery): Promise<StoryCardRow[]> {
  const category = query.category ?? null;
  return loadStoryCards(
    db,
    category === null
      ? undefined
      : sql`exists (select 1 from items m join feeds mf on mf.id = m.feed_id where m.story_id = ${stories.id} and mf.category = ${category})`,
    query,
  );
}

/**
 * Story cards matching `where`, in (first_seen_at, id) descending order. The cursor is a story id: the next page
 * starts below that story's (first_seen_at, id), so stories arriving meanwhile neither repeat nor shift the pages.
 * A cursor whose story is gone (retention) gives an empty page.
 */
export async function loadStoryCards(db: Database, where: SQL | undefined, query: StoryPageQuery): Promise<StoryCardRow[]> {
  const beforeId = query.beforeId ?? null;
  const cursor =
    beforeId === null
      ? undefined
      : sql`(${stories.firstSeenAt}, ${stories.id}) < (select c.first_seen_at, c.id from stories c where c.id = ${beforeId})`;
  const heads = await db
    .select({
      id: stories.id,
      representativeItemId: items.id,
      title: items.title,
      lead: sql<string>`left(${items.contentText}, ${LEAD_CHARS})`,
      link: items.link,
      firstSeenAt: stories.firstSeenAt,
      updatedAt: stories.updatedAt,
      category: feeds.category,
    })
    .from(stories)
    .innerJoin(items, eq(items.id, stories.representativeItemId))
    .innerJoin(feeds, eq(feeds.id, items.feedId))
    .where(and(where, cursor))
    .orderBy(desc(stories.firstSeenAt), desc(stories.id))
    .limit(query.limit);
  if (heads.length === 0) return [];
  const members = await db
    .select({ storyId: items.storyId, itemId: items.id, feedId: items.feedId, name: feeds.name, link: items.link })
    .from(items)
    .innerJoin(feeds, eq(feeds.id, items.feedId))
    .where(inArray(items.storyId, heads.map((h) => h.id)))
    .orderBy(items.storyId, sql`coalesce(${items.publishedAt}, ${items.fetchedAt})`, items.id);
  const byStory = new Map<number, typeof members>();
  for (const m of members) {
    const list = byStory.get(m.storyId!) ?? [];
    list.push(m);
    byStory.set(m.storyId!, list);
  }
  return heads.map(({ representativeItemId, ...head }) => {
    const list = byStory.get(head.id) ?? [];
    list.sort((a, b) => Number(b.itemId === representativeItemId) - Number(a.itemId === representativeItemId));
    const seen = new Set<string>();
    const outlets: StoryCardRow['outlets'] = [];
    for (const m of list) {
      if (seen.has(m.feedId)) continue;
      seen.add(m.feedId);
      outlets.push({ feedId: m.feedId, name: m.name, link: m.link });
    }
    return { ...head, lead: head.lead.replace(/\s+/g, ' ').trim(), outlets };
  });
}

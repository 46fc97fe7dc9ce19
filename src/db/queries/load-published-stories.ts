import { and, desc, eq, inArray, max, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { feeds, items, retentionState, stories } from '../schema.js';

export interface PublishedStoryRow {
  storyId: number;
  guid: string;
  firstSeenAt: Date;
  updatedAt: Date;
  representativeItemId: number;
  title: string;
  link: string | null;
  contentHtml: string;
  contentText: string;
  author: string | null;
  category: string | null;
  /** Every member item: its outlet, its own headline and link, its time; the representative's first. */
  sources: Array<{ feedId: string; name: string; title: string; link: string | null; publishedAt: Date | null; itemId: number }>;
}

/**
 * The newest stories with their representative item and every outlet, newest first; with a category, only stories
 * that a feed of that category carried.
 */
export async function loadPublishedStories(db: Database, limit: number, category: string | null = null): Promise<PublishedStoryRow[]> {
  const heads = await db
    .select({
      storyId: stories.id,
      guid: stories.guid,
      firstSeenAt: stories.firstSeenAt,
      updatedAt: stories.updatedAt,
      representativeItemId: items.id,
      title: items.title,
      link: items.link,
      contentHtml: items.contentHtml,
      contentText: items.contentText,
      author: items.author,
      category: feeds.category,
    })
    .from(stories)
    .innerJoin(items, eq(items.id, stories.representativeItemId))
    .innerJoin(feeds, eq(feeds.id, items.feedId))
    .where(
      category === null
        ? undefined
        : sql`exists (select 1 from items m join feeds mf on mf.id = m.feed_id where m.story_id = ${stories.id} and mf.category = ${category})`,
    )
    .orderBy(desc(stories.firstSeenAt), desc(stories.id))
    .limit(limit);
  if (heads.length === 0) return [];
  const members = await db
    .select({
      storyId: items.storyId,
      itemId: items.id,
      feedId: items.feedId,
      name: feeds.name,
      title: items.title,
      link: items.link,
      publishedAt: items.publishedAt,
    })
    .from(items)
    .innerJoin(feeds, eq(feeds.id, items.feedId))
    .where(and(inArray(items.storyId, heads.map((h) => h.storyId))))
    .orderBy(items.storyId, sql`coalesce(${items.publishedAt}, ${items.fetchedAt})`, items.id);
  const byStory = new Map<number, PublishedStoryRow['sources']>();
  for (const m of members) {
    const list = byStory.get(m.storyId!) ?? [];
    list.push({ feedId: m.feedId, name: m.name, title: m.title, link: m.link, publishedAt: m.publishedAt, itemId: m.itemId });
    byStory.set(m.storyId!, list);
  }
  return heads.map((h) => {
    const sources = byStory.get(h.storyId) ?? [];
    // The representative's outlet first, then the others in publication order.
    sources.sort((a, b) => Number(b.itemId === h.representativeItemId) - Number(a.itemId === h.representativeItemId));
    return { ...h, sources };
  });
}

/** Changes whenever anything published changes: a story added or updated, or a feed renamed. Index-only, cheap. */
export async function publishedVersion(db: Database): Promise<string> {
  const [s] = await db.select({ maxId: max(stories.id), maxUpdated: max(stories.updatedAt) }).from(stories);
  const [f] = await db.select({ maxUpdated: max(feeds.updatedAt) }).from(feeds);
  // Retention deletes stories without moving either max: its own timestamp joins the marker.
  const [r] = await db.select({ at: retentionState.lastPrunedAt }).from(retentionState);
  return [s?.maxId ?? 0, s?.maxUpdated?.getTime?.() ?? 0, f?.maxUpdated?.getTime?.() ?? 0, r?.at?.getTime?.() ?? 0].join(':');
}

import { and, inArray, isNotNull, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { feeds, items } from '../schema.js';

/** Ids per statement: well under Postgres's 65,535 parameters, and a first fetch of a big feed can touch thousands. */
const CHUNK = 5_000;

/**
 * The feeds.yaml categories whose feeds carry an item of one of these stories: the category feeds
 * (`?category=`, which lists a story when any of its outlets is of that category) that show them. Sorted.
 */
export async function loadStoryCategories(db: Database, storyIds: readonly number[]): Promise<string[]> {
  const found = new Set<string>();
  for (let i = 0; i < storyIds.length; i += CHUNK) {
    const rows = await db
      .selectDistinct({ category: feeds.category })
      .from(items)
      .innerJoin(feeds, eq(feeds.id, items.feedId))
      .where(and(inArray(items.storyId, storyIds.slice(i, i + CHUNK)), isNotNull(feeds.category)));
    for (const row of rows) if (row.category !== null) found.add(row.category);
  }
  return [...found].sort();
}

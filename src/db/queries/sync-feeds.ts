import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { FeedSource } from '../../domain/feed-source.js';
import type { Database } from '../client.js';
import { feeds, feedStates } from '../schema.js';

export interface SyncFeedsResult {
  upserted: number;
  disabled: string[];
}

/**
 * Makes the feeds table match feeds.yaml. Feeds missing from the file are disabled, not deleted (their items stay
 * published). A feed whose URL changed forgets its validators and is fetched at the next tick.
 */
export async function syncFeeds(db: Database, sources: FeedSource[]): Promise<SyncFeedsResult> {
  return db.transaction(async function syncFeedsTransaction(tx) {
    const ids = sources.map((s) => s.id);
    for (const source of sources) {
      const [previous] = await tx.select({ url: feeds.url }).from(feeds).where(eq(feeds.id, source.id));
      const values = {
        id: source.id,
        name: source.name,
        url: source.url,
        category: source.category,
        language: source.language,
        priority: source.priority,
        refreshMinutes: source.refreshMinutes,
        enabled: source.enabled,
        fullText: source.fullText,
      };
      await tx
        .insert(feeds)
        .values(values)
        .onConflictDoUpdate({ target: feeds.id, set: { ...values, updatedAt: sql`now()` } });
      await tx.insert(feedStates).values({ feedId: source.id }).onConflictDoNothing();
      if (previous && previous.url !== source.url) {
        await tx
          .update(feedStates)
          .set({ etag: null, lastModified: null, nextFetchAt: sql`now()`, updatedAt: sql`now()` })
          .where(eq(feedStates.feedId, source.id));
      }
    }
    const disabled = await tx
      .update(feeds)
      .set({ enabled: false, updatedAt: sql`now()` })
      .where(ids.length ? and(eq(feeds.enabled, true), notInArray(feeds.id, ids)) : eq(feeds.enabled, true))
      .returning({ id: feeds.id });
    return { upserted: sources.length, disabled: disabled.map((d) => d.id) };
  });
}

import { and, eq, inArray, notInArray, sql, type AnyColumn } from 'drizzle-orm';
import type { FeedSource } from '../../domain/feed-source.js';
import type { Database } from '../client.js';
import { feeds, feedStates } from '../schema.js';

export interface SyncFeedsResult {
  upserted: number;
  disabled: string[];
}

/** Feeds per statement: 9 parameters a row keeps a chunk far under Postgres's 65,535 bind parameters. */
export const SYNC_FEEDS_CHUNK = 1_000;

/**
 * Makes the feeds table match feeds.yaml. Feeds missing from the file are disabled, not deleted (their items stay
 * published). A feed whose URL changed forgets its validators and is fetched at the next tick.
 *
 * A few statements per 1,000 feeds, not three round trips per feed: every process start and reload runs it, and for
 * 500 feeds the per-feed version took ~2.5 s of a 5–6 s `fetch --once` whose feeds all answered 304.
 */
export async function syncFeeds(db: Database, sources: FeedSource[]): Promise<SyncFeedsResult> {
  return db.transaction(async function syncFeedsTransaction(tx) {
    const ids = sources.map((s) => s.id);
    for (let start = 0; start < sources.length; start += SYNC_FEEDS_CHUNK) {
      const chunk = sources.slice(start, start + SYNC_FEEDS_CHUNK);
      const chunkIds = chunk.map((s) => s.id);
      const previous = new Map(
        (await tx.select({ id: feeds.id, url: feeds.url }).from(feeds).where(inArray(feeds.id, chunkIds))).map((r) => [r.id, r.url]),
      );
      await tx
        .insert(feeds)
        .values(
          chunk.map((source) => ({
            id: source.id,
            name: source.name,
            url: source.url,
            category: source.category,
            language: source.language,
            priority: source.priority,
            refreshMinutes: source.refreshMinutes,
            enabled: source.enabled,
            fullText: source.fullText,
          })),
        )
        .onConflictDoUpdate({
          target: feeds.id,
          set: {
            name: excluded(feeds.name),
            url: excluded(feeds.url),
            category: excluded(feeds.category),
            language: excluded(feeds.language),
            priority: excluded(feeds.priority),
            refreshMinutes: excluded(feeds.refreshMinutes),
            enabled: excluded(feeds.enabled),
            fullText: excluded(feeds.fullText),
            updatedAt: sql`now()`,
          },
        });
      await tx
        .insert(feedStates)
        .values(chunk.map((source) => ({ feedId: source.id })))
        .onConflictDoNothing();
      const moved = chunk.filter((s) => previous.has(s.id) && previous.get(s.id) !== s.url).map((s) => s.id);
      if (moved.length) {
        await tx
          .update(feedStates)
          .set({ etag: null, lastModified: null, nextFetchAt: sql`now()`, updatedAt: sql`now()` })
          .where(inArray(feedStates.feedId, moved));
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

/** The row an upsert proposed for this column (`excluded.<column>`). */
function excluded(column: AnyColumn) {
  return sql`excluded.${sql.identifier(column.name)}`;
}

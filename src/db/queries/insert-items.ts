import type { Item } from '../../pipeline/types.js';
import type { Database } from '../client.js';
import { items, type ItemRow } from '../schema.js';

/**
 * Inserts the items that are not stored yet and returns only those. Identity is enforced by unique indexes
 * (feed + entry key, and the canonical link across feeds), so concurrent workers and refetches never duplicate.
 */
export async function insertItems(db: Database, batch: Item[], fetchedAt: Date): Promise<ItemRow[]> {
  if (batch.length === 0) return [];
  return db
    .insert(items)
    .values(
      batch.map((item) => ({
        feedId: item.feedId,
        entryKey: item.entryKey,
        guid: item.guid,
        link: item.link,
        canonicalLink: item.canonicalLink,
        title: item.title,
        contentHtml: item.contentHtml,
        contentText: item.contentText,
        author: item.author,
        publishedAt: item.publishedAt,
        fetchedAt,
      })),
    )
    .onConflictDoNothing()
    .returning();
}

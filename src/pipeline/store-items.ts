import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { CLUSTER_LOCK_KEY } from '../dedup/pg-candidate-index.js';
import { insertItems } from '../db/queries/insert-items.js';
import { createStories, refreshStories, setItemStories } from '../db/queries/story-membership.js';
import type { Item } from './types.js';
import type { StoryAssigner } from './story-assigner.js';


export interface StoreItemsResult {
  inserted: number;
  newStories: number;
  joinedStories: number;
}

/**
 * Stores a feed's items and puts every new one in a story, in one transaction: either all of this fetch's new items are
 * stored with their stories, or none are (the next fetch retries them).
 */
export async function storeItems(
  db: Database,
  batch: Item[],
  assigner: StoryAssigner,
  now: Date = new Date(),
): Promise<StoreItemsResult> {
  const prepared = dropSharedLinks(batch);
  return db.transaction(async function storeItemsTransaction(tx) {
    const inserted = await insertItems(tx, prepared, now);
    const result: StoreItemsResult = { inserted: inserted.length, newStories: 0, joinedStories: 0 };
    if (inserted.length === 0) return result;
    await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
    // Oldest first, so a story's first item is the earliest copy.
    inserted.sort((a, b) => timeOf(a, now) - timeOf(b, now) || a.id - b.id);
    const placements = await assigner.place(tx, inserted);
    const starts = inserted.filter((_, i) => placements[i].kind === 'new');
    const started = await createStories(
      tx,
      starts.map((row) => ({ itemId: row.id, firstSeenAt: new Date(timeOf(row, now)) })),
    );
    const storyOf = new Map<number, number>(started);
    const joined = new Set<number>();
    for (const [i, row] of inserted.entries()) {
      const placement = placements[i];
      if (placement.kind === 'new') continue;
      const storyId = placement.kind === 'existing' ? placement.storyId : storyOf.get(placement.itemId);
      if (storyId === undefined) throw new Error(`item ${row.id} placed with item ${(placement as { itemId: number }).itemId}, which has no story yet`);
      storyOf.set(row.id, storyId);
      joined.add(storyId);
    }
    await setItemStories(tx, [...storyOf].map(([itemId, storyId]) => ({ itemId, storyId })));
    await refreshStories(tx, [...joined]);
    result.newStories = starts.length;
    result.joinedStories = inserted.length - starts.length;
    return result;
  });
}

/** Publication time, never in the future (some feeds post-date items), else the fetch time. */
function timeOf(row: { publishedAt: Date | null }, now: Date): number {
  const t = row.publishedAt?.getTime();
  return t === undefined || Number.isNaN(t) ? now.getTime() : Math.min(t, now.getTime());
}

/**
 * Some feeds give every entry the same link (the home page). A link shared by distinct entries of one fetch does not
 * identify an article, so it must not make them collide across feeds.
 */
function dropSharedLinks(batch: Item[]): Item[] {
  const keysByLink = new Map<string, Set<string>>();
  for (const item of batch) {
    if (!item.canonicalLink) continue;
    const keys = keysByLink.get(item.canonicalLink) ?? new Set<string>();
    keys.add(item.entryKey);
    keysByLink.set(item.canonicalLink, keys);
  }
  const seen = new Set<string>();
  const out: Item[] = [];
  for (const item of batch) {
    const key = item.entryKey;
    if (seen.has(key)) continue; // the same entry twice in one document
    seen.add(key);
    const shared = item.canonicalLink && (keysByLink.get(item.canonicalLink)?.size ?? 0) > 1;
    out.push(shared ? { ...item, canonicalLink: null } : item);
  }
  return out;
}

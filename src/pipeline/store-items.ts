import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { ItemRow } from '../db/schema.js';
import { CLUSTER_LOCK_KEY } from '../dedup/pg-candidate-index.js';
import { applyCorrections, canonicalLinkOwners, deletePrunedRows, findCorrections, insertItems, storedEntryKeys, withoutPrunedEntries, type Correction } from '../db/queries/insert-items.js';
import { reindexItems } from '../dedup/reindex-stale-entries.js';
import { placeItems, refreshCorrectedStories, refreshStories, type ItemPlacement } from '../db/queries/story-membership.js';
import type { Item } from '../domain/item.js';
import { storableItem } from '../domain/storable-text.js';
import type { StoryAssigner, StoryPlacement } from './story-assigner.js';
import { storyTime } from './story-time.js';
import { retryTransient } from '../db/retry-transient.js';

export interface StoreItemsResult {
  inserted: number;
  newStories: number;
  joinedStories: number;
  /** Stored items the feed now gives with another headline or text (an outlet's correction), updated in place. */
  corrected: number;
  /**
   * The stories this store started, joined or corrected, committed by the time storeItems returns: what the published
   * feeds now show differently (the WebSub ping's topics are derived from them). Empty when nothing changed.
   */
  storyIds: number[];
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
  /** Told how long this store held the assignment lock (from taking it to commit), ms: the benchmark's figure. */
  onLockHeld?: (ms: number) => void,
): Promise<StoreItemsResult> {
  // Every string made storable here, at the one door to the items table (full-text pages included).
  const prepared = dropSharedLinks(batch.map(storableItem));
  let lockedAt: number | null = null;
  let afterCommit: ((db: Database) => Promise<void>) | null = null;
  let result: StoreItemsResult;
  try {
    result = await storeInTransaction();
  } finally {
    if (lockedAt !== null) onLockHeld?.(performance.now() - lockedAt);
  }
  // Outside the assignment lock: the assigner's statistics for this batch (dedup word counts).
  if (afterCommit) await retryTransient(() => afterCommit!(db));
  return result;

  function storeInTransaction(): Promise<StoreItemsResult> {
    return db.transaction(async function storeItemsTransaction(tx) {
      // Entries retention deleted and remembered stay deleted, though their feed still lists them.
      const live = await withoutPrunedEntries(tx, prepared);
      let inserted = await insertItems(tx, live, now);
      inserted.push(...(await insertLinkReusers(tx, live, inserted, now)));
      // Checked again once inserted: an entry pruned while this transaction was inserting it (its insert waited on the
      // row retention was deleting). Retention deletes the row and remembers the entry in one transaction, so once that
      // insert returns, the next statement sees the entry remembered; a prune that commits later deletes only items of
      // stories, and these have none yet. No need to wait for the assignment lock for this.
      inserted = await deletePrunedRows(tx, inserted);
      const corrections = await findCorrections(tx, live, inserted);
      if (inserted.length === 0) {
        if (corrections.length === 0) return { inserted: 0, newStories: 0, joinedStories: 0, corrected: 0, storyIds: [] };
        await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
        lockedAt = performance.now();
        await correct(tx, corrections, assigner);
        return { inserted: 0, newStories: 0, joinedStories: 0, corrected: corrections.length, storyIds: correctedStoryIds(corrections) };
      }
      // Oldest first, so a story's first item is the earliest copy.
      inserted.sort((a, b) => storyTime(a).getTime() - storyTime(b).getTime() || a.id - b.id);
      // Before the lock: what assignment can work out from the rows alone (fingerprints).
      const preparedRows = await assigner.prepare?.(tx, inserted);
      await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
      lockedAt = performance.now();
      const result: StoreItemsResult = { inserted: inserted.length, newStories: 0, joinedStories: 0, corrected: 0, storyIds: [] };
      const placements = await assigner.place(tx, inserted, preparedRows);
      afterCommit = assigner.takeAfterCommit?.() ?? null;
      // The stories started, joined and pointed at in one statement, their counts and representatives in a second.
      const storyOf = await placeItems(tx, itemPlacements(inserted, placements));
      // An anchor without a story (should not happen): the item starts one rather than being lost.
      const orphans = inserted.filter((row) => !storyOf.has(row.id));
      for (const [itemId, storyId] of await placeItems(tx, orphans.map((row) => ({ itemId: row.id, start: storyTime(row) })))) storyOf.set(itemId, storyId);
      const startIds = new Set([...inserted.filter((_, i) => placements[i].kind === 'new'), ...orphans].map((row) => row.id));
      await refreshStories(tx, [...new Set([...storyOf].flatMap(([itemId, storyId]) => (startIds.has(itemId) ? [] : [storyId])))]);
      result.newStories = startIds.size;
      result.joinedStories = inserted.length - startIds.size;
      if (corrections.length) {
        await correct(tx, corrections, assigner);
        result.corrected = corrections.length;
      }
      result.storyIds = [...new Set([...storyOf.values(), ...correctedStoryIds(corrections)])];
      return result;
    });
  }
}

/**
 * The assigner's placements as placeItems takes them. An item placed with an earlier item of the batch goes where that
 * item went (its story, if it started one; the story it joined, if it joined one); placed with a stored item, it goes
 * to that item's story.
 */
function itemPlacements(rows: ItemRow[], placements: StoryPlacement[]): ItemPlacement[] {
  const positionOf = new Map(rows.map((row, i) => [row.id, i]));
  const resolve = (i: number, seen: Set<number>): ItemPlacement => {
    const row = rows[i];
    const placement = placements[i];
    if (placement.kind === 'new') return { itemId: row.id, start: storyTime(row) };
    if (placement.kind === 'existing') return { itemId: row.id, storyId: placement.storyId };
    const at = positionOf.get(placement.itemId);
    if (at === undefined || at === i || seen.has(at)) return { itemId: row.id, anchorItemId: placement.itemId };
    const anchor = resolve(at, new Set(seen).add(i));
    if ('start' in anchor) return { itemId: row.id, anchorItemId: anchor.itemId };
    return { ...anchor, itemId: row.id };
  };
  return rows.map((_, i) => resolve(i, new Set()));
}

function correctedStoryIds(corrections: Correction[]): number[] {
  return [...new Set(corrections.flatMap((c) => (c.storyId === null ? [] : [c.storyId])))];
}

/**
 * An outlet's corrections, under the assignment lock: the stored rows take the new headline and text (id, story and guid
 * stay), their dedup entries are recomputed, and their stories re-pick the representative; a story's updated time
 * moves only where what its entry shows changed (a member's headline, or the representative's text).
 */
async function correct(tx: Database, corrections: Correction[], assigner: StoryAssigner): Promise<void> {
  await applyCorrections(tx, corrections);
  await reindexItems(tx, corrections.map((c) => c.itemId));
  // The assigner compares with what it holds of an item before what is stored: the corrected text from now on.
  assigner.forget?.(corrections.map((c) => c.itemId));
  const storyIds = [...new Set(corrections.flatMap((c) => (c.storyId === null ? [] : [c.storyId])))];
  const titleChanged = [...new Set(corrections.flatMap((c) => (c.titleChanged && c.storyId !== null ? [c.storyId] : [])))];
  await refreshCorrectedStories(tx, storyIds, titleChanged, corrections.map((c) => c.itemId));
}

/**
 * An entry turned away only because its canonical link is taken. Taken by another feed: the same article in an outlet's
 * other feed, rightly one item. Taken by the same feed under another entry key: a feed that reuses one link for
 * different entries over time (a live page, the home page); the entry is distinct, so it is stored without the link
 * rather than lost.
 */
async function insertLinkReusers(db: Database, batch: Item[], inserted: ItemRow[], now: Date): Promise<ItemRow[]> {
  const done = new Set(inserted.map((r) => `${r.feedId}\u0000${r.entryKey}`));
  const missed = batch.filter((i) => i.canonicalLink && !done.has(`${i.feedId}\u0000${i.entryKey}`));
  if (missed.length === 0) return [];
  const reusers: Item[] = [];
  for (const feedId of new Set(missed.map((i) => i.feedId))) {
    const ofFeed = missed.filter((i) => i.feedId === feedId);
    const known = await storedEntryKeys(db, feedId, ofFeed.map((i) => i.entryKey));
    const linkOnly = ofFeed.filter((i) => !known.has(i.entryKey));
    const owners = await canonicalLinkOwners(db, linkOnly.map((i) => i.canonicalLink!));
    reusers.push(...linkOnly.filter((i) => owners.get(i.canonicalLink!) === feedId).map((i) => ({ ...i, canonicalLink: null })));
  }
  return insertItems(db, reusers, now);
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

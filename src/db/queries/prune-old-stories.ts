import { sql } from 'drizzle-orm';
import { ADVISORY_LOCKS } from '../advisory-locks.js';
import { CLUSTER_LOCK_KEY } from '../../dedup/pg-candidate-index.js';
import { bumpDedupGeneration } from './dedup-generation.js';
import { queryRows, type Database } from '../client.js';

/** Only one replica deletes old stories at a time; the others skip. */
const RETENTION_LOCK_KEY = ADVISORY_LOCKS.retention;

const DEFAULT_BATCH_STORIES = 1_000;

export interface PruneOldStoriesOptions {
  /** Stories deleted per transaction, so a first prune of a large database never holds one huge transaction. */
  batchStories?: number;
  /** Shutdown: stops between batches (what was deleted stays deleted). */
  signal?: AbortSignal;
  /** Stops between batches after this many milliseconds; `more` then says whether expired stories are left. */
  budgetMs?: number;
  /** For tests: milliseconds now. */
  clock?: () => number;
}

export interface PrunedStories {
  stories: number;
  items: number;
  /** Stopped by the budget or the signal with expired stories left: run again. */
  more: boolean;
}

/**
 * settings.retention_days: deletes every story whose newest item is older than `before`, with all its items and their
 * dedup entries (their index keys cascade). A story that gained an outlet since `before` stays whole, so a reader never
 * sees an outlet vanish from a live story. An item's time is the store's (storyTime: publication time, never after the
 * fetch).
 *
 * Keys of deleted entries whose time was their fetch time go to `pruned_entries` (the store skips them), and
 * `retention_state` records the deletion for the published feed's change marker.
 *
 * Idf word counts (`dedup_word_counts`, `dedup_stats`) are left as they are: they stay what they would be without
 * retention, so deleting stories far outside the dedup window never changes how new items are matched.
 *
 * Returns the totals, or null when another process held the retention lock at the first batch; if another process
 * takes it over between batches, the totals so far are returned and that process carries on.
 */
export async function pruneOldStories(db: Database, before: Date, options: PruneOldStoriesOptions = {}): Promise<PrunedStories | null> {
  const batchStories = options.batchStories ?? DEFAULT_BATCH_STORIES;
  const clock = options.clock ?? Date.now;
  const stopAt = clock() + (options.budgetMs ?? Infinity);
  const total: PrunedStories = { stories: 0, items: 0, more: false };
  for (let first = true; ; first = false) {
    if (options.signal?.aborted || clock() >= stopAt) {
      total.more = true;
      break;
    }
    const batch = await pruneBatch(db, before, batchStories, first);
    if (!batch) return first ? null : total;
    total.stories += batch.stories;
    total.items += batch.items;
    if (batch.stories < batchStories) break;
  }
  return total;
}

/** One transaction: up to `limit` of the oldest expired stories, deleted children first. Null when the lock is taken. */
async function pruneBatch(db: Database, before: Date, limit: number, first: boolean): Promise<Omit<PrunedStories, 'more'> | null> {
  return db.transaction(async function pruneOldStoriesBatch(tx) {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}) as locked`);
    if (!lock?.locked) return null;
    // The assignment lock too: a copy being stored right now may be joining one of these stories (it is within the
    // dedup window of their newest item). Either it commits first and the story is no longer expired, or it waits and
    // finds no entry to join.
    await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
    // Remembered keys are kept one more retention period: a feed lists an entry for days or weeks, not for ever.
    if (first) await tx.execute(sql`delete from pruned_entries where pruned_at < ${before.toISOString()}::timestamptz`);
    // first_seen_at is never later than a story's earliest item, so its index narrows the scan to stories that started
    // before `before`; the item check then keeps any story with an item at or after it.
    const expired = await queryRows<{ id: string | number }>(
      tx,
      sql`select s.id from stories s
          where s.first_seen_at < ${before.toISOString()}::timestamptz
            and not exists (
              select 1 from items i
              where i.story_id = s.id and least(coalesce(i.published_at, i.fetched_at), i.fetched_at) >= ${before.toISOString()}::timestamptz)
          order by s.first_seen_at, s.id
          limit ${limit}`,
    );
    if (expired.length === 0) return { stories: 0, items: 0 };
    const ids = `{${expired.map((r) => Number(r.id)).join(',')}}`;
    // Children before parents. dedup_entries.item_key is not a foreign key (cluster --db indexes streams that are not
    // items), so it goes explicitly while items still name their story, its index keys with it (a column of it).
    // Deleting items sets their stories' representative_item_id to null (ON DELETE SET NULL); deleting the stories,
    // now childless, last.
    await bumpDedupGeneration(tx);
    await tx.execute(
      sql`delete from dedup_entries e using items i
          where i.story_id = any(${ids}::bigint[]) and e.item_key = i.id::text`,
    );
    // An item whose time was its fetch time (undated, or dated after the fetch) would pass the refresh's
    // publication-date filter if its feed still lists it: remember its key so it is not stored again as new.
    const [itemsRemoved] = await queryRows<{ n: number }>(
      tx,
      sql`with removed as (delete from items where story_id = any(${ids}::bigint[]) returning feed_id, entry_key, published_at, fetched_at),
          remembered as (
            insert into pruned_entries (feed_id, entry_key)
            select feed_id, entry_key from removed where published_at is null or published_at > fetched_at
            on conflict do nothing)
          select count(*)::int as n from removed`,
    );
    const [storiesRemoved] = await queryRows<{ n: number }>(
      tx,
      sql`with removed as (delete from stories where id = any(${ids}::bigint[]) returning 1)
          select count(*)::int as n from removed`,
    );
    // Deletions move no max(id) or max(updated_at): the published feed's change marker reads this instead.
    await tx.execute(
      sql`insert into retention_state (id, last_pruned_at) values (1, now())
          on conflict (id) do update set last_pruned_at = greatest(excluded.last_pruned_at, retention_state.last_pruned_at + interval '1 millisecond')`,
    );
    return { stories: Number(storiesRemoved?.n ?? 0), items: Number(itemsRemoved?.n ?? 0) };
  });
}

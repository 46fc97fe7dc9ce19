import { sql } from 'drizzle-orm';
import { ADVISORY_LOCKS } from '../advisory-locks.js';
import { queryRows, type Database } from '../client.js';
import { bumpDedupGeneration } from './dedup-generation.js';

/** Any fixed number: only one replica prunes at a time; the others skip. */
const PRUNE_LOCK_KEY = ADVISORY_LOCKS.dedupIndexPrune;

/**
 * Drops the inverted-index keys of entries published before `before`: lookups only search a window around an item's
 * time, so old keys are dead weight. Entries (fingerprints) stay, so stories keep their anchors. Returns the number of
 * keys removed, or null when another process was already pruning. Under the assignment lock, as every change to
 * stored entries other than adding them: it moves the dedup generation, so worker processes read their key copies
 * again (create-window-key-mirror.ts).
 */
export async function pruneDedupIndex(db: Database, before: Date): Promise<number | null> {
  return db.transaction(async function pruneDedupIndexTransaction(tx) {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${PRUNE_LOCK_KEY}) as locked`);
    if (!lock?.locked) return null;
    // The assignment lock before any row: a correction under it may update an entry this would otherwise hold.
    await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCKS.storyAssignment})`);
    const [result] = await queryRows<{ entries: number; removed: number }>(
      tx,
      sql`with old as (
            select seq, cardinality(keys) as n from dedup_entries
            where published_at < ${before.toISOString()}::timestamptz and keys is not null
          ), emptied as (
            update dedup_entries e set keys = null from old where e.seq = old.seq returning old.n)
          select count(*)::int as entries, coalesce(sum(n), 0)::int as removed from emptied`,
    );
    const removed = result?.removed ?? 0;
    if ((result?.entries ?? 0) > 0) await bumpDedupGeneration(tx);
    return removed;
  });
}

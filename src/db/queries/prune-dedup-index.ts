import { sql } from 'drizzle-orm';
import { ADVISORY_LOCKS } from '../advisory-locks.js';
import { queryRows, type Database } from '../client.js';

/** Any fixed number: only one replica prunes at a time; the others skip. */
const PRUNE_LOCK_KEY = ADVISORY_LOCKS.dedupIndexPrune;

/**
 * Drops the inverted-index keys of entries published before `before`: lookups only search a window around an item's
 * time, so old keys are dead weight. Entries (fingerprints) stay, so stories keep their anchors. Returns the number of
 * keys removed, or null when another process was already pruning.
 */
export async function pruneDedupIndex(db: Database, before: Date): Promise<number | null> {
  return db.transaction(async function pruneDedupIndexTransaction(tx) {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${PRUNE_LOCK_KEY}) as locked`);
    if (!lock?.locked) return null;
    const [result] = await queryRows<{ removed: number }>(
      tx,
      sql`with removed as (
            delete from dedup_keys k using dedup_entries e
            where k.seq = e.seq and e.published_at < ${before.toISOString()}::timestamptz
            returning 1)
          select count(*)::int as removed from removed`,
    );
    return result?.removed ?? 0;
  });
}

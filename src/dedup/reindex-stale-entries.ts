import { inArray, sql } from 'drizzle-orm';
import { createRepeatedLineTracker } from '../arabic/strip-boilerplate.js';
import { queryRows, type Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { items } from '../db/schema.js';
import { INDEX_KEY_DEFAULTS, fingerprintInput, indexKeys } from './assign-story.js';
import { prepare } from './compare-fingerprints.js';
import { packFingerprint } from './pack-fingerprint.js';
import { FINGERPRINT_VERSION, sortedUnique, type Fingerprint } from './fingerprint.js';
import { bumpDedupGeneration } from '../db/queries/dedup-generation.js';
import { CLUSTER_LOCK_KEY, intArray, storedFingerprint } from './pg-candidate-index.js';

export interface ReindexOptions {
  /** Entries rewritten per transaction (each holds the assignment lock briefly). */
  batchSize?: number;
  /**
   * Only entries published since then are recomputed (give twice the dedup window: what lookups and story anchors
   * reach); older ones keep their fingerprint and simply never match again, as before the upgrade they would have aged
   * out of the window.
   */
  since: Date;
  signal?: AbortSignal;
  /** Called after each batch with the running totals. */
  onBatch?: (progress: ReindexProgress) => void;
}

export interface ReindexProgress {
  /** Entries whose fingerprint, keys and word counts were recomputed from the stored item. */
  reindexed: number;
  /** Stale entries with no stored item to recompute from (`khabar cluster --db` streams, deleted items): left as they were. */
  skipped: number;
}

type StaleEntry = { seq: string | number; item_key: string; source: string; published_at: string | Date; fingerprint_packed: Uint8Array | string | null; fingerprint: Fingerprint | string | null };

/**
 * Whether an entry published since `since` was fingerprinted by an older FINGERPRINT_VERSION and can be recomputed (its
 * item is stored: entries of `khabar cluster --db` streams have none, and would otherwise be reported every hour).
 */
export async function hasStaleEntries(db: Database, since: Date): Promise<boolean> {
  // CASE, not AND: Postgres may evaluate the cast before the pattern test in a conjunction.
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from dedup_entries e
        where e.published_at >= ${since.toISOString()}::timestamptz and e.fingerprint_version < ${FINGERPRINT_VERSION}
          and exists (select 1 from items i where i.id = case when e.item_key ~ '^[1-9][0-9]{0,15}$' then e.item_key::bigint end)
        limit 1`,
  );
  return rows.length > 0;
}

/**
 * Only ever upgrades: during a rolling deploy, replicas of the older release must not rewrite the newer one's entries
 * back (both would then rewrite each other's every hour).
 *
 * After an upgrade that changes fingerprints (FINGERPRINT_VERSION), stored entries hash words and 3-grams with other
 * seeds: new copies of a recent report would share nothing with them and start a second story. This recomputes every
 * stale entry published since `since` from its stored item (title and text), newest first so the dedup window is usable
 * again within the first batches: fingerprint, index keys and the idf word counts (old words out, new words in). Each
 * batch runs under
 * the assignment lock, so workers storing items at the same time see an entry either before or after, never half.
 * Story membership does not change.
 */
export async function reindexStaleEntries(db: Database, options: ReindexOptions): Promise<ReindexProgress> {
  const batchSize = options.batchSize ?? 500;
  const progress: ReindexProgress = { reindexed: 0, skipped: 0 };
  // Keyset cursor (published_at, seq) descending: each batch starts where the last one ended, skipped rows included.
  let cursor: { publishedAt: string; seq: number } | null = null;
  for (;;) {
    if (options.signal?.aborted) break;
    const batch = await db.transaction(async function reindexBatch(tx) {
      await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
      const after = cursor ? sql`and (e.published_at, e.seq) < (${cursor.publishedAt}::timestamptz, ${cursor.seq})` : sql``;
      const stale = await queryRows<StaleEntry>(
        tx,
        sql`select e.seq, e.item_key, e.source, e.published_at, e.fingerprint_packed, e.fingerprint from dedup_entries e
            where e.fingerprint_version < ${FINGERPRINT_VERSION} and e.published_at >= ${options.since.toISOString()}::timestamptz ${after}
            order by e.published_at desc, e.seq desc limit ${batchSize}`,
      );
      if (stale.length === 0) return null;
      const ids = stale.map((e) => e.item_key).filter((k) => /^[1-9][0-9]{0,15}$/.test(k)).map(Number);
      const stored = ids.length
        ? await tx.select({ id: items.id, title: items.title, contentText: items.contentText }).from(items).where(inArray(items.id, ids))
        : [];
      const itemById = new Map(stored.map((r) => [String(r.id), r]));
      const done = await rewriteEntries(tx, stale, itemById);
      const last = stale[stale.length - 1];
      return { reindexed: done, skipped: stale.length - done, cursor: { publishedAt: new Date(last.published_at).toISOString(), seq: Number(last.seq) } };
    });
    if (!batch) break;
    progress.reindexed += batch.reindexed;
    progress.skipped += batch.skipped;
    cursor = batch.cursor;
    options.onBatch?.({ ...progress });
  }
  return progress;
}

/**
 * Recomputes each entry's fingerprint, keys and word counts from its stored item's headline and text (entries without
 * an item in `itemById` are left as they are); returns how many were rewritten. Run under the assignment lock.
 */
async function rewriteEntries(tx: Database, stale: StaleEntry[], itemById: Map<string, { title: string; contentText: string }>): Promise<number> {
  // Oldest first within the batch: the repeated-line tracker learns a source's recurring lines in publication order.
  const tracker = createRepeatedLineTracker();
  const wordDelta = new Map<number, number>();
  let done = 0;
  if (stale.length) await bumpDedupGeneration(tx);
  for (const entry of [...stale].reverse()) {
    const item = itemById.get(entry.item_key);
    if (!item) continue;
    const fp = fingerprintInput(tracker, { source: entry.source, title: item.title, text: item.contentText });
    const p = prepare(fp);
    const keys = indexKeys(p, INDEX_KEY_DEFAULTS.sampleBits, INDEX_KEY_DEFAULTS.leadWords);
    const old = storedFingerprint(entry.fingerprint_packed, entry.fingerprint);
    for (const w of sortedUnique(old.words ?? [])) wordDelta.set(w, (wordDelta.get(w) ?? 0) - 1);
    for (const w of p.distinctWords) wordDelta.set(w, (wordDelta.get(w) ?? 0) + 1);
    await tx.execute(
      sql`update dedup_entries set fingerprint_packed = ${packFingerprint(fp)}, fingerprint = null, fingerprint_version = ${FINGERPRINT_VERSION},
            keys = ${intArray([...new Set(keys)])}::int4[]
          where seq = ${entry.seq}`,
    );
    done++;
  }
  const changed = [...wordDelta].filter(([, d]) => d !== 0);
  if (changed.length) {
    const words = intArray(changed.map(([w]) => w));
    const deltas = intArray(changed.map(([, d]) => d));
    await tx.execute(
      sql`update dedup_word_counts c set entries = greatest(c.entries + u.n, 0)
          from unnest(${words}::int4[], ${deltas}::int4[]) as u(w, n) where c.word = u.w`,
    );
    await tx.execute(
      sql`insert into dedup_word_counts (word, entries)
          select w, n from unnest(${words}::int4[], ${deltas}::int4[]) as u(w, n) where n > 0
          on conflict (word) do nothing`,
    );
    // A word no entry carries any more (an old-seed hash) is dead weight.
    await tx.execute(sql`delete from dedup_word_counts where word = any(${words}::int4[]) and entries = 0`);
  }
  return done;
}

/**
 * An outlet corrected these items (new headline or text under the same identity): their dedup entries are recomputed
 * from the stored rows, their stories stay. Run under the assignment lock, in the transaction that wrote the rows.
 */
export async function reindexItems(tx: Database, itemIds: number[]): Promise<number> {
  if (itemIds.length === 0) return 0;
  const entries = await queryRows<StaleEntry>(
    tx,
    sql`select e.seq, e.item_key, e.source, e.published_at, e.fingerprint_packed, e.fingerprint from dedup_entries e
        where e.item_key = any(${`{${itemIds.join(',')}}`}::text[]) order by e.published_at desc, e.seq desc`,
  );
  if (entries.length === 0) return 0;
  const stored = await tx.select({ id: items.id, title: items.title, contentText: items.contentText }).from(items).where(inArray(items.id, itemIds));
  return rewriteEntries(tx, entries, new Map(stored.map((r) => [String(r.id), r])));
}

/**
 * What the worker (first pass, then hourly: replicas of an older release may still be writing during a rolling deploy)
 * and `fetch --once` run before storing: reindex the entries of the last two dedup windows if any is stale. Logs what
 * it did; returns null when nothing was stale. Database errors propagate (the caller logs them and retries later).
 */
export async function reindexIfStale(db: Database, options: { windowHours: number; log: Logger; signal?: AbortSignal }): Promise<ReindexProgress | null> {
  const since = new Date(Date.now() - 2 * options.windowHours * 3_600_000);
  if (!(await hasStaleEntries(db, since))) return null;
  const started = Date.now();
  options.log.info({ since: since.toISOString() }, 'dedup entries from another fingerprint version: reindexing from stored items');
  const done = await reindexStaleEntries(db, { since, signal: options.signal, onBatch: (p) => options.log.debug(p, 'dedup reindex batch') });
  options.log.info({ ...done, ms: Date.now() - started }, 'dedup entries reindexed');
  return done;
}

import { asc, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.js';
import { dedupEntries, dedupKeys, dedupStats, dedupWordCounts } from '../db/schema.js';
import type { CandidateHit, CandidateIndex, CandidateQuery, DocumentFrequencies, IndexedItem } from './candidate-index.js';
import { FINGERPRINT_VERSION, type Fingerprint } from './fingerprint.js';

/** Any fixed number: the transaction-level advisory lock that serializes story assignment across processes. */
export const CLUSTER_LOCK_KEY = 0x6b686273; // 'khbs'

export interface PgCandidateIndex extends CandidateIndex {
  /**
   * The connection or transaction the next calls run on. Assignment must run inside a transaction (the advisory lock
   * is transaction-scoped, and an item's index rows commit with the item).
   */
  use(db: Database): void;
}

/**
 * The candidate index in Postgres, shared by every worker process. Same answers as the in-memory index for the same
 * stream: ties break by insertion order (`seq`), and a key carried by more than `maxPostings` entries inside the
 * window is ignored (counted with a bounded probe per key, so a very common key costs no more than a rare one).
 */
export function createPgCandidateIndex(initial: Database): PgCandidateIndex {
  let db = initial;

  async function findCandidates(q: CandidateQuery): Promise<CandidateHit[]> {
    if (q.keys.length === 0) return [];
    const from = new Date(q.fromMs).toISOString();
    const to = new Date(q.toMs).toISOString();
    const rows = await queryRows<{ item_key: string; hits: number }>(
      db,
      sql`with query_keys as (
            select distinct k as key from unnest(${`{${q.keys.join(',')}}`}::int4[]) as k
          ), useful_keys as (
            select qk.key from query_keys qk
            where (select count(*) from (
                     select 1 from dedup_keys dk
                     where dk.key = qk.key and dk.published_at between ${from}::timestamptz and ${to}::timestamptz
                     limit ${q.maxPostings + 1}) probe) <= ${q.maxPostings}
          ), hits as (
            select dk.seq, count(*)::int as hits
            from useful_keys uk
            join dedup_keys dk on dk.key = uk.key and dk.published_at between ${from}::timestamptz and ${to}::timestamptz
            group by dk.seq
            order by hits desc, dk.seq asc
            limit ${q.limit}
          )
          select e.item_key, h.hits from hits h join dedup_entries e on e.seq = h.seq order by h.hits desc, h.seq asc`,
    );
    return rows.map((r) => ({ id: r.item_key, hits: Number(r.hits) }));
  }

  async function getItems(ids: string[]): Promise<IndexedItem[]> {
    if (ids.length === 0) return [];
    const rows = await db.select().from(dedupEntries).where(inArray(dedupEntries.itemKey, ids));
    const byKey = new Map(rows.map((r) => [r.itemKey, toIndexedItem(r)]));
    return ids.flatMap((id) => byKey.get(id) ?? []);
  }

  async function getStoryItems(storyId: string, limit: number): Promise<IndexedItem[]> {
    const rows = await db
      .select()
      .from(dedupEntries)
      .where(eq(dedupEntries.storyKey, storyId))
      .orderBy(asc(dedupEntries.seq))
      .limit(limit);
    return rows.map(toIndexedItem);
  }

  async function add(item: IndexedItem, keys: number[], distinctWords: number[]): Promise<void> {
    const publishedAt = new Date(item.publishedAt);
    const [entry] = await db
      .insert(dedupEntries)
      .values({
        itemKey: item.id,
        storyKey: item.storyId,
        source: item.source,
        publishedAt,
        fingerprintVersion: FINGERPRINT_VERSION,
        fingerprint: item.fingerprint,
      })
      .returning({ seq: dedupEntries.seq });
    const uniqueKeys = [...new Set(keys)];
    if (uniqueKeys.length) {
      await db.execute(
        sql`insert into dedup_keys (key, published_at, seq)
            select k, ${publishedAt.toISOString()}::timestamptz, ${entry.seq}::bigint from unnest(${`{${uniqueKeys.join(',')}}`}::int4[]) as k
            on conflict do nothing`,
      );
    }
    const words = [...new Set(distinctWords)];
    if (words.length) {
      await db.execute(
        sql`insert into dedup_word_counts (word, entries)
            select w, 1 from unnest(${`{${words.join(',')}}`}::int4[]) as w
            on conflict (word) do update set entries = dedup_word_counts.entries + 1`,
      );
    }
    await db
      .insert(dedupStats)
      .values({ id: 1, entries: 1 })
      .onConflictDoUpdate({ target: dedupStats.id, set: { entries: sql`${dedupStats.entries} + 1` } });
  }

  async function documentFrequencies(words: number[]): Promise<DocumentFrequencies> {
    const [stats] = await db.select({ entries: dedupStats.entries }).from(dedupStats).where(eq(dedupStats.id, 1));
    if (words.length === 0) return { total: Number(stats?.entries ?? 0), counts: [] };
    const rows = await db
      .select({ word: dedupWordCounts.word, entries: dedupWordCounts.entries })
      .from(dedupWordCounts)
      .where(inArray(dedupWordCounts.word, [...new Set(words)]));
    const counts = new Map(rows.map((r) => [r.word, r.entries]));
    return { total: Number(stats?.entries ?? 0), counts: words.map((w) => counts.get(w) ?? 0) };
  }

  async function withAssignmentLock<T>(fn: () => Promise<T>): Promise<T> {
    // Re-entrant: the worker's store transaction already holds it; `cluster --db` takes it here.
    await db.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
    return fn();
  }

  return {
    use(next: Database) {
      db = next;
    },
    findCandidates,
    getItems,
    getStoryItems,
    add,
    documentFrequencies,
    withAssignmentLock,
  };
}

function toIndexedItem(row: typeof dedupEntries.$inferSelect): IndexedItem {
  return {
    id: row.itemKey,
    source: row.source,
    storyId: row.storyKey,
    publishedAt: row.publishedAt.getTime(),
    fingerprint: row.fingerprint as Fingerprint,
  };
}

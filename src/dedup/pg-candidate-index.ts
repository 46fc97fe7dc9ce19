import { asc, eq, inArray, sql } from 'drizzle-orm';
import { ADVISORY_LOCKS } from '../db/advisory-locks.js';
import { queryRows, type Database } from '../db/client.js';
import { dedupEntries } from '../db/schema.js';
import type { CandidateHit, CandidateIndex, CandidateQuery, DocumentFrequencies, IndexedItem } from './candidate-index.js';
import { FINGERPRINT_VERSION, type Fingerprint } from './fingerprint.js';
import { packFingerprint, unpackFingerprint } from './pack-fingerprint.js';

/** The transaction-level advisory lock that serializes story assignment across processes. */
export const CLUSTER_LOCK_KEY = ADVISORY_LOCKS.storyAssignment;

export interface PgCandidateIndex extends CandidateIndex {
  /**
   * The connection or transaction the next calls run on. Assignment must run inside a transaction (the advisory lock
   * is transaction-scoped, and an item's index rows commit with the item).
   */
  use(db: Database): void;
  /** Writes the word counts of the items added since the last flush; call before the transaction commits. */
  flush(): Promise<void>;
  /**
   * The word counts of the items added since the last flush, taken out of the index, for writeWordCounts after the
   * transaction commits (the worker: counting rows outside the assignment lock).
   */
  takePendingCounts(): PendingWordCounts;
}

/**
 * The candidate index in Postgres, shared by every worker process. Same answers as the in-memory index for the same
 * stream: ties break by insertion order (`seq`), and a key carried by more than `maxPostings` entries inside the
 * window is ignored (counted with a bounded probe per key, so a very common key costs no more than a rare one).
 */
export function createPgCandidateIndex(initial: Database): PgCandidateIndex {
  let db = initial;
  let prefetched = new Map<string, IndexedItem>();
  let pendingWords = new Map<number, number>();
  let pendingEntries = 0;

  async function findCandidates(q: CandidateQuery): Promise<CandidateHit[]> {
    if (q.keys.length === 0) return [];
    const from = new Date(q.fromMs).toISOString();
    const to = new Date(q.toMs).toISOString();
    const rows = await queryRows<EntryRow & { hits: number }>(
      db,
      sql`with postings as (
            -- One bounded probe per key: its entries in the window, or none when it has more than maxPostings.
            select p.seqs from unnest(${intArray([...new Set(q.keys)])}::int4[]) as k(key)
            cross join lateral (
              select array_agg(dk.seq) as seqs from (
                select seq from dedup_keys dk
                where dk.key = k.key and dk.published_at between ${from}::timestamptz and ${to}::timestamptz
                limit ${q.maxPostings + 1}) dk
            ) p
            where cardinality(p.seqs) <= ${q.maxPostings}
          ), hits as (
            select seq, count(*)::int as hits from postings, unnest(postings.seqs) as seq
            group by seq
            order by hits desc, seq asc
            limit ${q.limit}
          )
          select e.item_key, e.story_key, e.source, e.published_at, e.fingerprint_packed, e.fingerprint, h.hits
          from hits h join dedup_entries e on e.seq = h.seq order by h.hits desc, h.seq asc`,
    );
    // The caller asks for these entries next: keep them for getItems (saves a round trip per item).
    prefetched = new Map(rows.map((r) => [r.item_key, fromRawRow(r)]));
    return rows.map((r) => ({ id: r.item_key, hits: Number(r.hits) }));
  }

  async function getItems(ids: string[]): Promise<IndexedItem[]> {
    const missing = ids.filter((id) => !prefetched.has(id));
    const byKey = new Map(prefetched);
    if (missing.length) {
      const rows = await db.select().from(dedupEntries).where(inArray(dedupEntries.itemKey, missing));
      for (const r of rows) byKey.set(r.itemKey, toIndexedItem(r));
    }
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
    const publishedAt = new Date(item.publishedAt).toISOString();
    await db.execute(
      sql`with entry as (
            insert into dedup_entries (item_key, story_key, source, published_at, fingerprint_version, fingerprint_packed)
            values (${item.id}, ${item.storyId}, ${item.source}, ${publishedAt}::timestamptz, ${FINGERPRINT_VERSION},
                    ${packFingerprint(item.fingerprint)})
            returning seq
          )
          insert into dedup_keys (key, published_at, seq)
          select distinct k, ${publishedAt}::timestamptz, entry.seq from entry, unnest(${intArray(keys)}::int4[]) as k
          on conflict do nothing`,
    );
    // Word counts are the costly part (one row per distinct word): they wait in memory until flush(), summed over
    // the batch, and reads add them in, so answers are the same as counting each item at once.
    for (const w of new Set(distinctWords)) pendingWords.set(w, (pendingWords.get(w) ?? 0) + 1);
    pendingEntries++;
  }

  function takePendingCounts(): PendingWordCounts {
    const taken = { words: pendingWords, entries: pendingEntries };
    pendingWords = new Map();
    pendingEntries = 0;
    return taken;
  }

  async function flush(): Promise<void> {
    await writeWordCounts(db, takePendingCounts());
  }

  async function documentFrequencies(words: number[]): Promise<DocumentFrequencies> {
    const stored = await readWordCounts(db, words);
    return {
      total: stored.total + pendingEntries,
      counts: words.map((w) => stored.counts.get(w)! + (pendingWords.get(w) ?? 0)),
    };
  }

  async function withAssignmentLock<T>(fn: () => Promise<T>): Promise<T> {
    // Re-entrant: the worker's store transaction already holds it; `cluster --db` takes it here.
    await db.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
    return fn();
  }

  return {
    use(next: Database) {
      // Pending word counts belong to the transaction being left: flushed on success, dropped with a rollback.
      db = next;
      prefetched = new Map();
      pendingWords = new Map();
      pendingEntries = 0;
    },
    flush,
    takePendingCounts,
    findCandidates,
    getItems,
    getStoryItems,
    add,
    documentFrequencies,
    withAssignmentLock,
  };
}

/** Word counts read ahead of the batch (readWordCounts), outside the assignment lock: idf statistics, not decisions. */
export interface WordCounts {
  total: number;
  counts: Map<number, number>;
}

/** The stored word counts of `words` (absent words count 0) and the number of entries counted. */
export async function readWordCounts(db: Database, words: Iterable<number>): Promise<WordCounts> {
  const unique = [...new Set(words)];
  const [row] = await queryRows<{ total: string | number | null; words: number[] | null; counts: number[] | null }>(
    db,
    sql`select (select entries from dedup_stats where id = 1) as total,
               array_agg(word) as words, array_agg(entries) as counts
        from dedup_word_counts where word = any(${intArray(unique)}::int4[])`,
  );
  const counts = new Map<number, number>(unique.map((w) => [w, 0]));
  (row?.words ?? []).forEach((w, i) => counts.set(Number(w), Number(row!.counts![i])));
  return { total: Number(row?.total ?? 0), counts };
}

export interface PendingWordCounts {
  /** word → entries that carry it. */
  words: Map<number, number>;
  entries: number;
}

/**
 * Adds entries' word counts (idf statistics) in one statement. Words in ascending order, so two transactions adding
 * overlapping words lock their rows in the same order and cannot deadlock.
 */
export async function writeWordCounts(db: Database, pending: PendingWordCounts): Promise<void> {
  if (pending.entries === 0) return;
  const words = [...pending.words.keys()].sort((a, b) => a - b);
  const counts = words.map((w) => pending.words.get(w)!);
  await db.execute(
    sql`with word_counts as (
          insert into dedup_word_counts (word, entries)
          select w, n from unnest(${intArray(words)}::int4[], ${intArray(counts)}::int4[]) as u(w, n)
          on conflict (word) do update set entries = dedup_word_counts.entries + excluded.entries
        )
        insert into dedup_stats (id, entries) values (1, ${pending.entries})
        on conflict (id) do update set entries = dedup_stats.entries + excluded.entries`,
  );
}

/** An int4[] literal: one bound parameter however many values (each is a 32-bit integer by construction). */
export function intArray(values: ArrayLike<number>): string {
  return `{${Array.from(values).join(',')}}`;
}

export type EntryRow = {
  item_key: string;
  story_key: string;
  source: string;
  published_at: string | Date;
  fingerprint_packed: Uint8Array | string | null;
  fingerprint: Fingerprint | string | null;
};

/**
 * The stored fingerprint: packed (bytea) since packed fingerprints, jsonb for entries written before. Raw rows differ by
 * driver: postgres.js through drizzle's raw execute gives bytea as `\x…` hex text and jsonb as text, PGlite gives
 * Uint8Array and objects.
 */
export function storedFingerprint(packed: Uint8Array | string | null, json: Fingerprint | string | null | unknown): Fingerprint {
  if (packed !== null && packed !== undefined) return unpackFingerprint(typeof packed === 'string' ? Buffer.from(packed.slice(2), 'hex') : packed);
  if (json === null || json === undefined) throw new Error('dedup entry without a fingerprint');
  return typeof json === 'string' ? (JSON.parse(json) as Fingerprint) : (json as Fingerprint);
}

/** A raw row: drivers differ (postgres.js via drizzle returns timestamps as strings, PGlite as Dates). */
export function fromRawRow(r: EntryRow): IndexedItem {
  return {
    id: r.item_key,
    source: r.source,
    storyId: r.story_key,
    publishedAt: new Date(r.published_at).getTime(),
    fingerprint: storedFingerprint(r.fingerprint_packed, r.fingerprint),
  };
}

function toIndexedItem(row: typeof dedupEntries.$inferSelect): IndexedItem {
  return {
    id: row.itemKey,
    source: row.source,
    storyId: row.storyKey,
    publishedAt: row.publishedAt.getTime(),
    fingerprint: storedFingerprint(row.fingerprintPacked, row.fingerprint),
  };
}

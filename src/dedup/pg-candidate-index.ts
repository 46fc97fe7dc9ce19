import { sql } from 'drizzle-orm';
import { ADVISORY_LOCKS } from '../db/advisory-locks.js';
import { queryRows, type Database } from '../db/client.js';
import type { Fingerprint } from './fingerprint.js';
import { unpackFingerprint } from './pack-fingerprint.js';

/** The transaction-level advisory lock that serializes story assignment across processes. */
export const CLUSTER_LOCK_KEY = ADVISORY_LOCKS.storyAssignment;

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
 * Words a statement of writeWordCounts upserts. A write every 2,000 entries carries tens of thousands of words; on
 * embedded PGlite one statement runs on the main thread, and one of ~50,000 words blocked the event loop ~650 ms
 * (bench:ingest), so larger writes go in chunks of this many words, in one transaction.
 */
export const WORD_COUNT_CHUNK_WORDS = 4_000;

/**
 * Adds entries' word counts (idf statistics): one statement, or chunks of `chunkWords` words in one transaction, the
 * last carrying the entries total. Words in ascending order, so two transactions adding overlapping words lock their
 * rows in the same order and cannot deadlock.
 */
export async function writeWordCounts(db: Database, pending: PendingWordCounts, chunkWords = WORD_COUNT_CHUNK_WORDS): Promise<void> {
  if (pending.entries === 0) return;
  const words = [...pending.words.keys()].sort((a, b) => a - b);
  const counts = words.map((w) => pending.words.get(w)!);
  const upsert = (from: number, to: number) => sql`insert into dedup_word_counts (word, entries)
          select w, n from unnest(${intArray(words.slice(from, to))}::int4[], ${intArray(counts.slice(from, to))}::int4[]) as u(w, n)
          on conflict (word) do update set entries = dedup_word_counts.entries + excluded.entries`;
  const last = Math.max(0, words.length - chunkWords);
  const withTotal = (run: Database) =>
    run.execute(
      sql`with word_counts as (${upsert(last, words.length)})
        insert into dedup_stats (id, entries) values (1, ${pending.entries})
        on conflict (id) do update set entries = dedup_stats.entries + excluded.entries`,
    );
  if (last === 0) {
    await withTotal(db);
    return;
  }
  await db.transaction(async (tx) => {
    for (let from = 0; from < last; from += chunkWords) await tx.execute(upsert(from, Math.min(from + chunkWords, last)));
    await withTotal(tx as unknown as Database);
  });
}

/** An int4[] literal: one bound parameter however many values (each is a 32-bit integer by construction). */
export function intArray(values: ArrayLike<number>): string {
  // Arrays and typed arrays join without a copy.
  const join = (values as { join?: (sep: string) => string }).join;
  return `{${typeof join === 'function' ? join.call(values, ',') : Array.from(values).join(',')}}`;
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
  return fromJson(typeof json === 'string' ? (JSON.parse(json) as JsonFingerprint) : (json as JsonFingerprint));
}

/** The jsonb form of entries written before packed fingerprints: the same fields as plain arrays. */
type JsonFingerprint = { [K in keyof Fingerprint]: Fingerprint[K] extends Int32Array ? number[] : Fingerprint[K] };

function fromJson(j: JsonFingerprint): Fingerprint {
  const ints = (a: number[] | undefined) => new Int32Array(a ?? []);
  return { words: ints(j.words), titleWords: j.titleWords, sentenceEnds: ints(j.sentenceEnds), stems: ints(j.stems), numbers: ints(j.numbers) };
}

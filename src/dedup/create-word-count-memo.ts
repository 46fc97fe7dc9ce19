import type { Database } from '../db/client.js';
import { IntCounter } from './int-counter.js';
import { readWordCounts, type PendingWordCounts, type WordCounts } from './pg-candidate-index.js';

/**
 * Stored word counts (idf statistics) this process has read, so that a batch reads only the words no batch before it
 * read. Stored counts change only when counts are written (writeWordCounts): this process's own writes, which it tells
 * the memo (`written(counts)`: the counts held move by what was written, so they stay the table's), and other
 * processes' writes, which it sees once the memo starts over: every `maxAgeMs` (other processes' counts lag a few
 * thousand entries already, see create-worker-story-assigner.ts). A read that was under way when counts were written is
 * used but not kept: it may hold counts from before the write.
 */
export interface WordCountMemo {
  /** The stored counts of `words`, distinct word hashes (absent words count 0), and the number of entries counted. */
  read(db: Database, words: Iterable<number>): Promise<WordCounts>;
  /**
   * This process wrote `counts` (committed): the counts held move by them. Without counts (a write that may or may not
   * have landed) the memo starts over.
   */
  written(counts?: PendingWordCounts): void;
  /** A write of the counts is about to be sent: reads under way until it is `written` are not kept. */
  writing(): void;
  /** Words held (for tests and the memory budget). */
  readonly size: number;
}

/**
 * A few days of a busy instance's vocabulary. Held in an IntCounter (typed arrays, at most half full: 300,000 words
 * take a 9 MB table outside the collected heap; a Map took ~60 bytes a word on it).
 */
export const WORD_COUNT_MEMO_WORDS = 300_000;

/** How long other processes' writes may go unseen. */
export const WORD_COUNT_MEMO_MAX_AGE_MS = 10 * 60_000;

export function createWordCountMemo(maxWords = WORD_COUNT_MEMO_WORDS, maxAgeMs = WORD_COUNT_MEMO_MAX_AGE_MS, now: () => number = Date.now): WordCountMemo {
  let counts = new IntCounter();
  let total: number | null = null;
  let epoch = 0;
  let startedAt = now();
  const startOver = () => {
    epoch++;
    counts = new IntCounter();
    total = null;
    startedAt = now();
  };
  return {
    async read(db, words) {
      if (now() - startedAt > maxAgeMs) startOver();
      const result = new Map<number, number>();
      const missing: number[] = [];
      for (const w of words) {
        const known = counts.lookup(w);
        if (known < 0) missing.push(w);
        else result.set(w, known);
      }
      const knownTotal = total;
      if (missing.length === 0 && knownTotal !== null) return { total: knownTotal, counts: result };
      const startedIn = epoch;
      const read = await readWordCounts(db, missing);
      const keep = startedIn === epoch;
      if (keep && counts.size + missing.length > maxWords) counts = new IntCounter();
      for (const w of missing) {
        const n = read.counts.get(w)!;
        result.set(w, n);
        if (keep) counts.set(w, n);
      }
      if (keep) total = read.total;
      return { total: read.total, counts: result };
    },
    writing() {
      epoch++;
    },
    written(written) {
      if (!written) return startOver();
      epoch++;
      for (const [w, n] of written.words) {
        const held = counts.lookup(w);
        if (held >= 0) counts.set(w, held + n);
      }
      if (total !== null) total += written.entries;
    },
    get size() {
      return counts.size;
    },
  };
}

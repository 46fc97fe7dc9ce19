import type { Database } from '../db/client.js';
import { readWordCounts, type WordCounts } from './pg-candidate-index.js';

/**
 * Stored word counts (idf statistics) this process has read, so that a batch reads only the words no batch before it
 * read. Stored counts change only when counts are written (writeWordCounts): this process's own writes, after which it
 * calls `written()` and the memo starts over, and other processes' writes, which it sees at its next write (by then a
 * few thousand entries later; other processes' counts lag that far already, see create-worker-story-assigner.ts).
 * A read that was under way when counts were written is used but not kept: it may hold counts from before the write.
 */
export interface WordCountMemo {
  /** The stored counts of `words`, distinct word hashes (absent words count 0), and the number of entries counted. */
  read(db: Database, words: Iterable<number>): Promise<WordCounts>;
  /** Counts were written: what the memo holds may be old. */
  written(): void;
  /** Words held (for tests and the memory budget). */
  readonly size: number;
}

/** About 60 bytes a word in a Map: 300,000 words is under 20 MB, a few days of a busy instance's vocabulary. */
export const WORD_COUNT_MEMO_WORDS = 300_000;

export function createWordCountMemo(maxWords = WORD_COUNT_MEMO_WORDS): WordCountMemo {
  let counts = new Map<number, number>();
  let total: number | null = null;
  let epoch = 0;
  return {
    async read(db, words) {
      const result = new Map<number, number>();
      const missing: number[] = [];
      for (const w of words) {
        const known = counts.get(w);
        if (known === undefined) missing.push(w);
        else result.set(w, known);
      }
      const knownTotal = total;
      if (missing.length === 0 && knownTotal !== null) return { total: knownTotal, counts: result };
      const startedIn = epoch;
      const read = await readWordCounts(db, missing);
      const keep = startedIn === epoch;
      if (keep && counts.size + missing.length > maxWords) counts = new Map();
      for (const w of missing) {
        const n = read.counts.get(w)!;
        result.set(w, n);
        if (keep) counts.set(w, n);
      }
      if (keep) total = read.total;
      return { total: read.total, counts: result };
    },
    written() {
      epoch++;
      counts = new Map();
      total = null;
    },
    get size() {
      return counts.size;
    },
  };
}

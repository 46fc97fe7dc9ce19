import type { Prepared } from './compare-fingerprints.js';

export const DEFAULT_PREPARED_CACHE_SIZE = 5_000;
export const DEFAULT_PREPARED_CACHE_BYTES = 40 * 1024 * 1024;

/**
 * About what a prepared fingerprint holds: the fingerprint's Int32Arrays of hashes, its 3-grams and distinct words
 * (4 bytes an element each), room for the lead and rest 3-grams filled on first use (each at most the 3-grams), and
 * the objects around them.
 */
export function preparedBytes(p: Prepared): number {
  const { fp } = p;
  return 4 * (fp.words.length + fp.stems.length + fp.sentenceEnds.length + fp.numbers.length + 3 * p.shingles.length + p.distinctWords.length) + 600;
}

export interface PreparedCache {
  get(id: string): Prepared | undefined;
  /** Stores (or refreshes) an entry as the most recently used one, then drops the least recently used past either bound. */
  set(id: string, p: Prepared): void;
  delete(id: string): void;
  readonly size: number;
  /** preparedBytes of the entries held. */
  readonly bytes: number;
}

/** The assigner's memo of prepared fingerprints: least recently used dropped first, bounded by count and by bytes. */
export function createPreparedCache(maxEntries: number, maxBytes: number): PreparedCache {
  const entries = new Map<string, { p: Prepared; bytes: number }>();
  let bytes = 0;
  const drop = (id: string) => {
    const held = entries.get(id);
    if (!held) return;
    entries.delete(id);
    bytes -= held.bytes;
  };
  return {
    get: (id) => entries.get(id)?.p,
    set(id, p) {
      drop(id);
      const size = preparedBytes(p);
      // One bigger than the whole budget is not kept (it would empty the cache for itself).
      if (size > maxBytes || maxEntries < 1) return;
      entries.set(id, { p, bytes: size });
      bytes += size;
      while (entries.size > maxEntries || bytes > maxBytes) drop(entries.keys().next().value!);
    },
    delete: drop,
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}

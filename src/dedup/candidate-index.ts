import type { Fingerprint } from './fingerprint.js';

/** What the index keeps per item: plain ints and strings, one row in Postgres. */
export interface IndexedItem {
  id: string;
  source: string;
  /** Story ids are the id of the story's first item: stable as outlets join, and the first item is one lookup away. */
  storyId: string;
  /** Epoch milliseconds. */
  publishedAt: number;
  fingerprint: Fingerprint;
}

export interface CandidateHit {
  id: string;
  /** How many of the query keys the item shares. */
  hits: number;
}

export interface CandidateQuery {
  keys: number[];
  fromMs: number;
  toMs: number;
  /** At most this many candidates, most hits first. */
  limit: number;
  /** Keys carried by more items than this inside the window are fixed phrases, not evidence: ignored. */
  maxPostings: number;
}

export interface DocumentFrequencies {
  /** Items counted so far. */
  total: number;
  /** Items containing each requested word hash, in request order. */
  counts: number[];
}

/**
 * The one seam between story assignment and storage. Every method is async so the Postgres
 * implementation (shared by all worker processes) is a drop-in for the in-memory one used by `cluster`.
 */
export interface CandidateIndex {
  findCandidates(query: CandidateQuery): Promise<CandidateHit[]>;
  getItems(ids: string[]): Promise<IndexedItem[]>;
  /** The story's earliest-added items, first item first. */
  getStoryItems(storyId: string, limit: number): Promise<IndexedItem[]>;
  /** Stores the item, its distinct index keys, and counts its distinct words for idf. */
  add(item: IndexedItem, keys: number[], distinctWords: number[]): Promise<void>;
  documentFrequencies(words: number[]): Promise<DocumentFrequencies>;
  /**
   * Stories an operator split apart from this one (`khabar story split`): once an item has matched a member of this
   * story, they are closed to it. None when absent (the in-memory index of `khabar cluster`).
   */
  apartFrom?(storyId: string): readonly string[];
  /**
   * Runs find-then-add as one critical section, so two workers holding copies of one report cannot
   * both start a story (Postgres: a transaction-scoped advisory lock).
   */
  withAssignmentLock<T>(fn: () => Promise<T>): Promise<T>;
}

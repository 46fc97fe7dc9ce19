import type { Database } from '../db/client.js';
import type { ItemRow } from '../db/schema.js';

/** Where one newly stored item goes. */
export type StoryPlacement =
  | { kind: 'new' }
  /** Joins a story that already exists. */
  | { kind: 'existing'; storyId: number }
  /** Joins the story of another item: an earlier item of the same batch, or one stored before (its story_id). */
  | { kind: 'with'; itemId: number };

/**
 * Decides which story each newly stored item belongs to. Called inside the transaction that inserted the items, while
 * that transaction holds the clustering lock, so two workers never start two stories for copies of one report. Items
 * come oldest first and are decided in that order (an item may join a story started earlier in the same batch).
 */
export interface StoryAssigner {
  /**
   * Work on the new rows that needs no lock (dedup: fingerprints, index keys, the word statistics), run in the store's
   * transaction before it takes the assignment lock, in the order place() will see the rows; its result goes to place().
   */
  prepare?(db: Database, rows: ItemRow[]): Promise<PreparedRows>;
  place(db: Database, rows: ItemRow[], prepared?: PreparedRows): Promise<StoryPlacement[]>;
  /**
   * Work the last place() left for after its transaction commits, outside the assignment lock (dedup's word counts);
   * call right after place(), while still holding the lock, and run the result after the commit.
   */
  takeAfterCommit?(): ((db: Database) => Promise<void>) | null;
  /**
   * Writes what the assigner kept back from its after-commit work (dedup's word counts, gathered over many stores
   * rather than written after each one); the worker calls it at the end of every pass. What a failed write kept is
   * written with the next call.
   */
  flush?(db: Database): Promise<void>;
  /**
   * Stored items whose headline or text changed (an outlet's correction, reindexed): what the assigner holds of them
   * (prepared fingerprints) is dropped, so the next comparison reads the corrected one.
   */
  forget?(itemIds: number[]): void;
}

/** What prepare() made of the rows (opaque to the store). */
export type PreparedRows = { readonly kind: 'prepared-rows' };

/** No clustering: every item is its own story. */
export const singletonStoryAssigner: StoryAssigner = {
  place: async (_db, rows) => rows.map(() => ({ kind: 'new' })),
};

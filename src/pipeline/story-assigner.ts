import type { Database } from '../db/client.js';
import type { ItemRow } from '../db/schema.js';

/**
 * Decides which story a newly stored item belongs to. Called inside the transaction that inserted the item, while that
 * transaction holds the clustering lock, so two workers never start two stories for copies of one report.
 */
export interface StoryAssigner {
  /** The id of an existing story to join, or null to start a new one. */
  findStory(db: Database, item: ItemRow): Promise<number | null>;
  /** Records what is needed to match later items against this one (fingerprints), once its story is known. */
  remember(db: Database, item: ItemRow, storyId: number): Promise<void>;
}

/** No clustering: every item is its own story. */
export const singletonStoryAssigner: StoryAssigner = {
  findStory: async () => null,
  remember: async () => {},
};

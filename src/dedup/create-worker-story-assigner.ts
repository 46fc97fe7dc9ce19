import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { items, type ItemRow } from '../db/schema.js';
import type { StoryAssigner, StoryPlacement } from '../pipeline/story-assigner.js';
import { storyTime } from '../pipeline/story-time.js';
import { createStoryAssigner } from './assign-story.js';
import { createPgCandidateIndex, writeWordCounts, type PendingWordCounts } from './pg-candidate-index.js';

export interface WorkerStoryAssignerOptions {
  windowHours: number;
}

/**
 * The worker's story assigner: dedup's assigner over the Postgres candidate index, adapted to the store's batches.
 * Dedup names a story by the key of its first item; khabar's story is that item's story row.
 */
export function createWorkerStoryAssigner(db: Database, options: WorkerStoryAssignerOptions): StoryAssigner {
  const index = createPgCandidateIndex(db);
  const dedup = createStoryAssigner(index, { windowHours: options.windowHours });
  let afterCommit: PendingWordCounts | null = null;

  return {
    // The word counts (one upsert row per distinct word, a fifth of the time under the lock) are written after the
    // store commits: reads during place() already add them in, and other workers' idf may lag one batch behind.
    takeAfterCommit() {
      const pending = afterCommit;
      afterCommit = null;
      return pending ? (db: Database) => writeWordCounts(db, pending) : null;
    },
    place: async function placeWithDedup(tx: Database, rows: ItemRow[]): Promise<StoryPlacement[]> {
      index.use(tx);
      try {
        const inBatch = new Set(rows.map((r) => String(r.id)));
        const decisions: Array<{ storyKey: string; matched: boolean }> = [];
        for (const row of rows) {
          const assignment = await dedup.assign({
            id: String(row.id),
            source: row.feedId,
            title: row.title,
            text: row.contentText,
            publishedAt: storyTime(row),
          });
          decisions.push({ storyKey: assignment.storyId, matched: assignment.matchedItemId !== null });
        }
        afterCommit = index.takePendingCounts();
        const outside = [...new Set(decisions.filter((d) => d.matched && !inBatch.has(d.storyKey)).map((d) => Number(d.storyKey)))];
        const firstItems = outside.length
          ? await tx.select({ id: items.id, storyId: items.storyId }).from(items).where(inArray(items.id, outside))
          : [];
        const storyOfFirst = new Map(firstItems.map((r) => [r.id, r.storyId]));
        return decisions.map((d): StoryPlacement => {
          if (!d.matched) return { kind: 'new' };
          if (inBatch.has(d.storyKey)) return { kind: 'with', itemId: Number(d.storyKey) };
          const storyId = storyOfFirst.get(Number(d.storyKey));
          // A story key without an item (should not happen): start a story rather than lose the item.
          return storyId == null ? { kind: 'new' } : { kind: 'existing', storyId };
        });
      } finally {
        index.use(db);
      }
    },
  };
}

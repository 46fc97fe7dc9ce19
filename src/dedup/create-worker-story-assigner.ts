import type { Database } from '../db/client.js';
import type { ItemRow } from '../db/schema.js';
import type { PreparedRows, StoryAssigner, StoryPlacement } from '../pipeline/story-assigner.js';
import { storyTime } from '../pipeline/story-time.js';
import { assignBatchOnPostgres, readBatchAhead, type BatchAhead } from './assign-batch.js';
import { createMemoryCandidateIndex } from './memory-candidate-index.js';
import { createStoryAssigner, type DedupInput, type PreparedInput } from './assign-story.js';
import { writeWordCounts, type PendingWordCounts } from './pg-candidate-index.js';

export interface WorkerStoryAssignerOptions {
  windowHours: number;
}

interface WorkerPrepared {
  kind: 'prepared-rows';
  byId: Map<number, PreparedInput>;
  ahead: BatchAhead;
}

function dedupInput(row: ItemRow): DedupInput {
  return { id: String(row.id), source: row.feedId, title: row.title, text: row.contentText, publishedAt: storyTime(row) };
}

/**
 * The worker's story assigner: dedup's assigner over Postgres, a store's batch at a time. Fingerprints are made and the
 * window's state for the whole batch is read in prepare(), before the store takes the assignment lock; place(), under
 * it, brings that state up to date with what other workers committed meanwhile, decides in memory and writes the
 * batch's entries in one statement (assign-batch.ts). Dedup names a story by the key of its first item; khabar's story
 * is that item's story row.
 */
export function createWorkerStoryAssigner(_db: Database, options: WorkerStoryAssignerOptions): StoryAssigner {
  // Each batch is assigned through its own index (assign-batch.ts); the assigner keeps what outlives a batch (the
  // repeated-line tracker, prepared fingerprints), and its own index is never read.
  const dedup = createStoryAssigner(createMemoryCandidateIndex(), { windowHours: options.windowHours });
  let afterCommit: PendingWordCounts | null = null;

  return {
    async prepare(db, rows) {
      const byId = new Map(rows.map((row) => [row.id, dedup.prepareInput(dedupInput(row))]));
      // The window's state for the batch, read while other workers hold the lock; place() catches it up.
      const prepared: WorkerPrepared = { kind: 'prepared-rows', byId, ahead: await readBatchAhead(db, dedup, [...byId.values()]) };
      return prepared;
    },
    // The word counts (one upsert row per distinct word) are written after the store commits: reads during place()
    // already add them in, and other workers' idf may lag one batch behind.
    takeAfterCommit() {
      const pending = afterCommit;
      afterCommit = null;
      return pending ? (db: Database) => writeWordCounts(db, pending) : null;
    },
    place: async function placeWithDedup(tx: Database, rows: ItemRow[], prepared?: PreparedRows): Promise<StoryPlacement[]> {
      const ahead = prepared as WorkerPrepared | undefined;
      const inputs = rows.map((row) => ahead?.byId.get(row.id) ?? dedup.prepareInput(dedupInput(row)));
      // Rows prepared ahead are all there (the store drops pruned rows before prepare()).
      // An input not read ahead (no prepare() call) means the batch is read here, under the lock.
      const readAhead = ahead && inputs.every((p) => ahead.ahead.positions.has(p.input.id)) ? ahead.ahead : undefined;
      const { assignments, wordCounts } = await assignBatchOnPostgres(tx, dedup, inputs, readAhead);
      afterCommit = wordCounts;
      // A story is named by its first item's key: the item joins that item's story (an earlier item of this batch, or
      // a stored one; the store resolves which in the statement that points the items at their stories).
      return assignments.map((a): StoryPlacement => (a.matchedItemId === null ? { kind: 'new' } : { kind: 'with', itemId: Number(a.storyId) }));
    },
  };
}

import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { assignBatchOnPostgres, readBatchAhead } from './assign-batch.js';
import { createMemoryCandidateIndex } from './memory-candidate-index.js';
import { createStoryAssigner, type DedupInput, type StoryAssignerOptions, type StoryAssignment } from './assign-story.js';
import { CLUSTER_LOCK_KEY, writeWordCounts } from './pg-candidate-index.js';
import { createWindowKeyMirror, keepMsFor } from './create-window-key-mirror.js';

/**
 * Dedup on Postgres, one transaction per batch (what `khabar cluster --db` runs): the same batched path as the worker
 * (assign-batch.ts), so its stories are the worker's.
 */
export function createPgStoryAssigner(db: Database, options: StoryAssignerOptions = {}) {
  // Each batch is assigned through its own index (assign-batch.ts); the assigner keeps what outlives a batch (the
  // repeated-line tracker, prepared fingerprints), and its own index is never read.
  const dedup = createStoryAssigner(createMemoryCandidateIndex(), options);
  const keyMirror = createWindowKeyMirror({ keepMs: keepMsFor(options.windowHours ?? 72) });
  async function assignBatch(inputs: DedupInput[]): Promise<StoryAssignment[]> {
    // Fingerprints first, outside the transaction and its lock.
    const prepared = inputs.map((input) => dedup.prepareInput(input));
    return db.transaction(async (tx) => {
      // Read before the lock and caught up under it, as the worker does.
      const ahead = await readBatchAhead(tx, dedup, prepared, undefined, undefined, keyMirror);
      await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
      const { assignments, wordCounts } = await assignBatchOnPostgres(tx, dedup, prepared, ahead, undefined, keyMirror);
      await writeWordCounts(tx, wordCounts);
      return assignments;
    });
  }
  return {
    assignBatch,
    assign: async (input: DedupInput): Promise<StoryAssignment> => (await assignBatch([input]))[0],
  };
}

import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { assignBatchOnPostgres, batchWords, createSwitchableIndex } from './assign-batch.js';
import { readWordCounts } from './pg-batch-index.js';
import { createStoryAssigner, type DedupInput, type StoryAssignerOptions, type StoryAssignment } from './assign-story.js';
import { CLUSTER_LOCK_KEY, writeWordCounts } from './pg-candidate-index.js';

/**
 * Dedup on Postgres, one transaction per batch (what `khabar cluster --db` runs): the same batched path as the worker
 * (assign-batch.ts), so its stories are the worker's.
 */
export function createPgStoryAssigner(db: Database, options: StoryAssignerOptions = {}) {
  const index = createSwitchableIndex();
  const dedup = createStoryAssigner(index, options);
  async function assignBatch(inputs: DedupInput[]): Promise<StoryAssignment[]> {
    // Fingerprints first, outside the transaction and its lock.
    const prepared = inputs.map((input) => dedup.prepareInput(input));
    return db.transaction(async (tx) => {
      const counts = await readWordCounts(tx, batchWords(prepared));
      await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
      const { assignments, wordCounts } = await assignBatchOnPostgres(tx, dedup, index, prepared, counts);
      await writeWordCounts(tx, wordCounts);
      return assignments;
    });
  }
  return {
    assignBatch,
    assign: async (input: DedupInput): Promise<StoryAssignment> => (await assignBatch([input]))[0],
  };
}

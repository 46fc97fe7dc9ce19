import type { Database } from '../db/client.js';
import { createStoryAssigner, type DedupInput, type StoryAssignerOptions, type StoryAssignment } from './assign-story.js';
import { createPgCandidateIndex } from './pg-candidate-index.js';

/**
 * Dedup on the Postgres index, one transaction per item (what `khabar cluster --db` runs). The worker uses the same
 * index inside its store transactions instead (create-worker-story-assigner.ts).
 */
export function createPgStoryAssigner(db: Database, options: StoryAssignerOptions = {}) {
  const index = createPgCandidateIndex(db);
  const dedup = createStoryAssigner(index, options);
  return {
    assign: function assignInTransaction(input: DedupInput): Promise<StoryAssignment> {
      return db.transaction(async (tx) => {
        index.use(tx);
        try {
          const assignment = await dedup.assign(input);
          await index.flush();
          return assignment;
        } finally {
          index.use(db);
        }
      });
    },
  };
}

import type { Database } from '../db/client.js';
import type { StoryAssigner as DedupAssigner, PreparedInput, StoryAssignment } from './assign-story.js';
import { loadPgBatchIndex } from './pg-batch-index.js';
import { readWordCounts, type PendingWordCounts, type WordCounts } from './pg-candidate-index.js';

/**
 * Assigns a batch of prepared items, in order, on Postgres: the window's state read in a few statements for the whole
 * batch (pg-batch-index.ts), decisions made in memory (items of the batch see each other), the batch's entries and
 * keys written in one statement. Run it inside the transaction that holds the assignment lock. Returns the
 * assignments and the word counts to write after the commit.
 */
export async function assignBatchOnPostgres(
  tx: Database,
  dedup: DedupAssigner,
  inputs: PreparedInput[],
  /** readWordCounts(batchWords(inputs)), read before the lock where the caller can. */
  wordCounts?: WordCounts,
): Promise<{ assignments: StoryAssignment[]; wordCounts: PendingWordCounts }> {
  const counts = wordCounts ?? (await readWordCounts(tx, batchWords(inputs)));
  const batch = await loadPgBatchIndex(tx, inputs.map(dedup.candidateQuery), counts, dedup.storyMembersLimit);
  const assignments: StoryAssignment[] = [];
  for (const [i, p] of inputs.entries()) {
    batch.setCurrent(i);
    const assignment = await dedup.assignPrepared(p, batch);
    batch.setMatched(assignment.matchedItemId);
    assignments.push(assignment);
  }
  await batch.writeEntries();
  return { assignments, wordCounts: batch.takePendingCounts() };
}

/** The distinct words of a batch: whose counts assignment needs first. */
export function batchWords(inputs: PreparedInput[]): Set<number> {
  const words = new Set<number>();
  for (const p of inputs) for (const w of p.self.distinctWords) words.add(w);
  return words;
}

import type { Database } from '../db/client.js';
import type { StoryAssigner as DedupAssigner, PreparedInput, StoryAssignment } from './assign-story.js';
import { loadPgBatchIndex, type PgBatchIndex } from './pg-batch-index.js';
import { readWordCounts, type PendingWordCounts } from './pg-candidate-index.js';
import type { WordCountMemo } from './create-word-count-memo.js';
import type { WindowKeyMirror } from './create-window-key-mirror.js';

/** A batch's view of the index, read before the assignment lock (readBatchAhead), by item id. */
export interface BatchAhead {
  index: PgBatchIndex;
  positions: Map<string, number>;
}

/**
 * Reads the index state a batch needs — postings of its keys in each item's window, likely candidates, their stories'
 * first members, word counts — without the assignment lock, so other workers assign meanwhile.
 */
export async function readBatchAhead(
  db: Database,
  dedup: DedupAssigner,
  inputs: PreparedInput[],
  /** Word counts of entries this process committed and has not written yet: added to every count read. */
  unwritten?: PendingWordCounts,
  /** Stored counts read before (create-word-count-memo.ts): only the words not in it are read. */
  memo?: WordCountMemo,
  /** The process's copy of the stored keys (create-window-key-mirror.ts); without it the batch reads its windows. */
  keyMirror?: WindowKeyMirror,
): Promise<BatchAhead> {
  const counts = memo ? await memo.read(db, batchWords(inputs)) : await readWordCounts(db, batchWords(inputs));
  const index = await loadPgBatchIndex(db, inputs.map(dedup.candidateQuery), counts, dedup.storyMembersLimit, unwritten, memo, dedup.knownFingerprint, keyMirror);
  return { index, positions: new Map(inputs.map((p, i) => [p.input.id, i])) };
}

/**
 * Assigns a batch of prepared items, in order, on Postgres. Run it inside the transaction that holds the assignment
 * lock: the state read ahead (or read now, without `ahead`) is first brought up to date (pg-batch-index.ts catchUp),
 * then decisions are made in memory (items of the batch see each other) and the batch's entries and keys written in
 * one statement. `inputs` may be fewer than were read ahead (rows pruned meanwhile). Returns the assignments and the
 * word counts to write after the commit.
 */
export async function assignBatchOnPostgres(
  tx: Database,
  dedup: DedupAssigner,
  inputs: PreparedInput[],
  ahead?: BatchAhead,
  unwritten?: PendingWordCounts,
  keyMirror?: WindowKeyMirror,
): Promise<{ assignments: StoryAssignment[]; wordCounts: PendingWordCounts; caughtUp: 'current' | 'caught-up' | 'read-again' }> {
  const { index: batch, positions } = ahead ?? (await readBatchAhead(tx, dedup, inputs, unwritten, undefined, keyMirror));
  const caughtUp = await batch.catchUp(tx);
  const assignments: StoryAssignment[] = [];
  for (const p of inputs) {
    batch.setCurrent(positions.get(p.input.id)!);
    const assignment = await dedup.assignPrepared(p, batch);
    batch.setMatched(assignment.matchedItemId);
    assignments.push(assignment);
  }
  await batch.writeEntries();
  return { assignments, wordCounts: batch.takePendingCounts(), caughtUp };
}

/** The distinct words of a batch: whose counts assignment needs first. */
export function batchWords(inputs: PreparedInput[]): Set<number> {
  const words = new Set<number>();
  for (const p of inputs) for (const w of p.self.distinctWords) words.add(w);
  return words;
}

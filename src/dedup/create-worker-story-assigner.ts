import type { Database } from '../db/client.js';
import type { ItemRow } from '../db/schema.js';
import type { PreparedRows, StoryAssigner, StoryPlacement } from '../pipeline/story-assigner.js';
import { storyTime } from '../pipeline/story-time.js';
import { assignBatchOnPostgres, readBatchAhead, type BatchAhead } from './assign-batch.js';
import { createMemoryCandidateIndex } from './memory-candidate-index.js';
import { createStoryAssigner, type DedupInput, type PreparedInput } from './assign-story.js';
import { writeWordCounts, type PendingWordCounts } from './pg-candidate-index.js';
import { createWordCountMemo } from './create-word-count-memo.js';
import { createWindowKeyMirror, keepMsFor } from './create-window-key-mirror.js';

/**
 * Word counts are written once this many entries' worth has gathered (and at the end of each pass): about forty
 * batches of new items, a few seconds of a busy pass.
 */
export const WORD_COUNTS_WRITE_ENTRIES = 2_000;

function addCounts(into: PendingWordCounts, from: PendingWordCounts): void {
  for (const [w, n] of from.words) into.words.set(w, (into.words.get(w) ?? 0) + n);
  into.entries += from.entries;
}

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
  /**
   * Word counts of committed entries not yet written: added to every count read (pg-batch-index.ts). One object for the
   * assigner's life, changed in place, so a batch that read ahead sees a write land.
   */
  const unwritten: PendingWordCounts = { words: new Map(), entries: 0 };
  let writing: Promise<void> = Promise.resolve();
  /** Stored counts read by earlier batches, moved by this process's writes (create-word-count-memo.ts). */
  const memo = createWordCountMemo();
  /** The stored index keys of the windows this process assigns in (create-window-key-mirror.ts). */
  const keyMirror = createWindowKeyMirror({ keepMs: keepMsFor(options.windowHours) });

  /**
   * Writes the counts gathered so far, one write at a time. They leave `unwritten` once written (a count read meanwhile
   * has them once: from `unwritten` before the commit); a failed write leaves them for the next one.
   */
  function flush(db: Database): Promise<void> {
    const run = writing.then(async () => {
      if (unwritten.entries === 0) return;
      const taken: PendingWordCounts = { words: new Map(unwritten.words), entries: unwritten.entries };
      memo.writing();
      try {
        await writeWordCounts(db, taken);
      } catch (error) {
        // It may have landed or not: what the memo holds may be older than the table now.
        memo.written();
        throw error;
      }
      memo.written(taken);
      for (const [w, n] of taken.words) {
        const left = (unwritten.words.get(w) ?? 0) - n;
        if (left > 0) unwritten.words.set(w, left);
        else unwritten.words.delete(w);
      }
      unwritten.entries -= taken.entries;
    });
    writing = run.catch(() => {});
    return run;
  }

  return {
    async prepare(db, rows) {
      const byId = new Map(rows.map((row) => [row.id, dedup.prepareInput(dedupInput(row))]));
      // The window's state for the batch, read while other workers hold the lock; place() catches it up.
      const prepared: WorkerPrepared = { kind: 'prepared-rows', byId, ahead: await readBatchAhead(db, dedup, [...byId.values()], unwritten, memo, keyMirror) };
      return prepared;
    },
    // The word counts (one upsert row per distinct word, thousands a batch, on rows every worker updates) are gathered
    // after each commit and written every WORD_COUNTS_WRITE_ENTRIES entries and at the end of each pass (flush). This
    // process adds what it has not written to every count it reads, so its own idf is exact; other processes' idf may
    // lag that far behind.
    takeAfterCommit() {
      const pending = afterCommit;
      afterCommit = null;
      if (!pending) return null;
      let added = false;
      // Retried as a whole when the write fails (retryTransient): the counts are added once.
      return async (db: Database) => {
        if (!added) addCounts(unwritten, pending);
        added = true;
        if (unwritten.entries >= WORD_COUNTS_WRITE_ENTRIES) await flush(db);
      };
    },
    flush,
    forget(itemIds) {
      dedup.forget(itemIds.map(String));
    },
    place: async function placeWithDedup(tx: Database, rows: ItemRow[], prepared?: PreparedRows): Promise<StoryPlacement[]> {
      const ahead = prepared as WorkerPrepared | undefined;
      const inputs = rows.map((row) => ahead?.byId.get(row.id) ?? dedup.prepareInput(dedupInput(row)));
      // Rows prepared ahead are all there (the store drops pruned rows before prepare()).
      // An input not read ahead (no prepare() call) means the batch is read here, under the lock.
      const readAhead = ahead && inputs.every((p) => ahead.ahead.positions.has(p.input.id)) ? ahead.ahead : undefined;
      const { assignments, wordCounts } = await assignBatchOnPostgres(tx, dedup, inputs, readAhead, unwritten, keyMirror);
      afterCommit = wordCounts;
      // A story is named by its first item's key: the item joins that item's story (an earlier item of this batch, or
      // a stored one; the store resolves which in the statement that points the items at their stories).
      return assignments.map((a): StoryPlacement => (a.matchedItemId === null ? { kind: 'new' } : { kind: 'with', itemId: Number(a.storyId) }));
    },
  };
}

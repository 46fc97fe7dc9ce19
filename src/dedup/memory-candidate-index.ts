import { IntCounter } from './int-counter.js';
import type { CandidateHit, CandidateIndex, CandidateQuery, DocumentFrequencies, IndexedItem } from './candidate-index.js';
import { topHits } from './top-hits.js';

const PRUNE_SLACK_MS = 24 * 3_600_000;

/** In-process CandidateIndex: what `khabar cluster` uses by default, and the reference for the Postgres one. */
export function createMemoryCandidateIndex(): CandidateIndex {
  const items: IndexedItem[] = [];
  // Publication times by slot, beside the items: the posting scans read nothing else.
  let times = new Float64Array(1024);
  const slotById = new Map<string, number>();
  const postings = new Map<number, number[]>();
  const df = new IntCounter();
  const slotsByStory = new Map<string, number[]>();
  let lock: Promise<unknown> = Promise.resolve();

  return {
    async findCandidates(q: CandidateQuery): Promise<CandidateHit[]> {
      const hits = new Map<number, number>();
      for (const key of q.keys) {
        let list = postings.get(key);
        if (!list) continue;
        // Streams arrive roughly in time order: postings far behind the window are dropped for good.
        if (list.length > q.maxPostings && times[list[0]] < q.fromMs - PRUNE_SLACK_MS) {
          const keep = list.findIndex((slot) => times[slot] >= q.fromMs - PRUNE_SLACK_MS);
          list = keep < 0 ? [] : list.slice(keep);
          postings.set(key, list);
        }
        // Bounded probe, as the Postgres index counts: stop as soon as the key is known to be too common.
        let inWindow = 0;
        for (let i = 0; i < list.length && inWindow <= q.maxPostings; i++) {
          const t = times[list[i]];
          if (t >= q.fromMs && t <= q.toMs) inWindow++;
        }
        if (inWindow > q.maxPostings) continue;
        for (const slot of list) {
          const t = times[slot];
          if (t < q.fromMs || t > q.toMs) continue;
          hits.set(slot, (hits.get(slot) ?? 0) + 1);
        }
      }
      return topHits(hits, q.limit).map(([slot, n]) => ({ id: items[slot].id, hits: n }));
    },

    async getItems(ids) {
      const out: IndexedItem[] = [];
      for (const id of ids) {
        const slot = slotById.get(id);
        if (slot !== undefined) out.push(items[slot]);
      }
      return out;
    },

    async getStoryItems(storyId, limit) {
      return (slotsByStory.get(storyId) ?? []).slice(0, limit).map((slot) => items[slot]);
    },

    async add(item, keys, distinctWords) {
      const slot = items.length;
      items.push(item);
      if (slot >= times.length) {
        const grown = new Float64Array(times.length * 2);
        grown.set(times);
        times = grown;
      }
      times[slot] = item.publishedAt;
      slotById.set(item.id, slot);
      const members = slotsByStory.get(item.storyId);
      if (members) members.push(slot);
      else slotsByStory.set(item.storyId, [slot]);
      for (const key of keys) {
        const list = postings.get(key);
        if (list) list.push(slot);
        else postings.set(key, [slot]);
      }
      for (const w of distinctWords) df.increment(w);
    },

    async documentFrequencies(words): Promise<DocumentFrequencies> {
      return { total: items.length, counts: words.map((w) => df.get(w)) };
    },

    withAssignmentLock<T>(fn: () => Promise<T>): Promise<T> {
      const run = lock.then(fn, fn);
      lock = run.catch(() => undefined);
      return run;
    },
  };
}

import type { CandidateHit, CandidateIndex, CandidateQuery, DocumentFrequencies, IndexedItem } from './candidate-index.js';

/** In-process CandidateIndex: what `khabar cluster` uses by default, and the reference for the Postgres one. */
export function createMemoryCandidateIndex(): CandidateIndex {
  const items: IndexedItem[] = [];
  const slotById = new Map<string, number>();
  const postings = new Map<number, number[]>();
  const df = new Map<number, number>();
  let lock: Promise<unknown> = Promise.resolve();

  return {
    async findCandidates(q: CandidateQuery): Promise<CandidateHit[]> {
      const hits = new Map<number, number>();
      for (const key of q.keys) {
        const list = postings.get(key);
        if (!list) continue;
        let inWindow = 0;
        for (let i = list.length - 1; i >= 0; i--) {
          const t = items[list[i]].publishedAt;
          if (t >= q.fromMs && t <= q.toMs) inWindow++;
        }
        if (inWindow > q.maxPostings) continue;
        for (const slot of list) {
          const t = items[slot].publishedAt;
          if (t < q.fromMs || t > q.toMs) continue;
          hits.set(slot, (hits.get(slot) ?? 0) + 1);
        }
      }
      return [...hits]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, q.limit)
        .map(([slot, n]) => ({ id: items[slot].id, hits: n }));
    },

    async getItems(ids) {
      const out: IndexedItem[] = [];
      for (const id of ids) {
        const slot = slotById.get(id);
        if (slot !== undefined) out.push(items[slot]);
      }
      return out;
    },

    async add(item, keys, distinctWords) {
      const slot = items.length;
      items.push(item);
      slotById.set(item.id, slot);
      for (const key of new Set(keys)) {
        const list = postings.get(key);
        if (list) list.push(slot);
        else postings.set(key, [slot]);
      }
      for (const w of distinctWords) df.set(w, (df.get(w) ?? 0) + 1);
    },

    async documentFrequencies(words): Promise<DocumentFrequencies> {
      return { total: items.length, counts: words.map((w) => df.get(w) ?? 0) };
    },

    withAssignmentLock<T>(fn: () => Promise<T>): Promise<T> {
      const run = lock.then(fn, fn);
      lock = run.catch(() => undefined);
      return run;
    },
  };
}

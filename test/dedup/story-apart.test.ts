import { describe, expect, it } from 'vitest';
import { createStoryAssigner, type DedupInput } from '../../src/dedup/assign-story.js';
import type { CandidateIndex, IndexedItem } from '../../src/dedup/candidate-index.js';
import { createMemoryCandidateIndex } from '../../src/dedup/memory-candidate-index.js';
import { agencyCopy, republishedCopy, unrelatedReport } from '../helpers/agency-report.js';

const text = (html: string) => html.replace(/<\/p>/g, '\n').replace(/<[^>]+>/g, '').trim();
const t0 = Date.UTC(2026, 10, 29, 6);
const input = (id: string, source: string, copy: { title: string; html: string }, minutes: number): DedupInput => ({
  id,
  source,
  title: copy.title,
  text: text(copy.html),
  publishedAt: new Date(t0 + minutes * 60_000),
});

/**
 * The memory index as the Postgres one looks after `khabar story split`: the daily's copy re-keyed into a part of its
 * own (`d1`), recorded apart from the agency's (`a1`). `partMembers` replaces what the index says a part's first
 * members are (to make a part refuse an item); `apart: false` leaves the split unrecorded.
 */
function afterSplit(base: CandidateIndex, options: { partMembers?: Map<string, IndexedItem[]>; apart?: boolean } = {}): CandidateIndex {
  const moved = new Set(['d1']);
  const part = (item: IndexedItem): IndexedItem => (moved.has(item.id) ? { ...item, storyId: 'd1' } : item);
  return {
    findCandidates: (q) => base.findCandidates(q),
    getItems: async (ids) => (await base.getItems(ids)).map(part),
    async getStoryItems(storyId, limit) {
      const replaced = options.partMembers?.get(storyId);
      if (replaced) return replaced.slice(0, limit);
      const all = storyId === 'd1' ? await base.getItems(['d1']) : await base.getStoryItems(storyId, limit + moved.size);
      return all.map(part).filter((m) => m.storyId === storyId).slice(0, limit);
    },
    add: (item, keys, words) => base.add(item, keys, words),
    documentFrequencies: (words) => base.documentFrequencies(words),
    withAssignmentLock: (fn) => base.withAssignmentLock(fn),
    ...(options.apart === false ? {} : { apartFrom: (s: string) => (s === 'a1' ? ['d1'] : s === 'd1' ? ['a1'] : []) }),
  };
}

describe('a split keeps its two sides apart in assignment', () => {
  /** `refuse`: the split part's first members are another report (a contrived refusal by the anchor rule). */
  async function stream(options: { refuse?: boolean; apart?: boolean }) {
    const base = createMemoryCandidateIndex();
    const dedup = createStoryAssigner(base);
    await dedup.assign(input('a1', 'agency', agencyCopy(), 0));
    expect((await dedup.assign(input('d1', 'daily', republishedCopy(), 30))).storyId).toBe('a1');
    await dedup.assign(input('u1', 'radio', unrelatedReport(), 40));
    const [unrelated] = await base.getItems(['u1']);
    const split = afterSplit(base, { apart: options.apart, partMembers: options.refuse ? new Map([['d1', [unrelated]]]) : undefined });
    // A later copy of the daily's text: it matches the daily's copy best, and the agency's too.
    return dedup.assignPrepared(dedup.prepareInput(input('w1', 'weekly', { ...republishedCopy(), title: 'خطة مائية عربية' }, 90)), split);
  }

  it('a copy of the split item goes with it', async () => {
    expect((await stream({})).storyId).toBe('d1');
  });

  it('when the side of its closest member refuses it, it starts its own story instead of falling through to the other side', async () => {
    expect((await stream({ refuse: true })).storyId).toBe('w1');
    // Without the recorded split, the same item would fall through to the story the operator took its report out of.
    expect((await stream({ refuse: true, apart: false })).storyId).toBe('a1');
  });
});

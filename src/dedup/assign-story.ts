import { createRepeatedLineTracker, stripBoilerplate, type RepeatedLineTracker } from '../arabic/strip-boilerplate.js';
import type { CandidateIndex, IndexedItem } from './candidate-index.js';
import { compareFingerprints, prepare, type Prepared } from './compare-fingerprints.js';
import { fingerprint } from './fingerprint.js';
import { isSameReport, matchScore, overlapsFirstItem } from './same-report.js';

export interface DedupInput {
  id: string;
  source: string;
  title: string;
  /** Plain text, paragraphs on their own lines. */
  text: string;
  publishedAt: Date | null;
}

export interface StoryAssignment {
  storyId: string;
  /** The item it matched, null when it started a story. */
  matchedItemId: string | null;
}

export interface StoryAssignerOptions {
  windowHours?: number;
  /** Candidates verified per item, most shared keys first. */
  maxCandidates?: number;
  /** Keys shared by more items than this in the window are fixed phrases. */
  maxPostings?: number;
  /** Keep 1 in 2^sampleBits shingles as index keys (plus the whole lead). */
  sampleBits?: number;
  /** Leading words whose 3-grams are always keys, so a lead-only copy finds its full text. */
  leadWords?: number;
  now?: () => number;
}

export interface StoryAssigner {
  assign(input: DedupInput): Promise<StoryAssignment>;
}

const HOUR_MS = 3_600_000;

/** Index keys: a deterministic sample of the 3-grams (same rule on every item, so shared text shares keys) plus the lead. */
export function indexKeys(p: Prepared, sampleBits: number, leadWords: number): number[] {
  const mask = (1 << sampleBits) - 1;
  const keys = p.shingles.filter((h) => (h & mask) === 0);
  const { words, titleWords } = p.fp;
  const leadEnd = Math.min(words.length, titleWords + leadWords);
  const lead = prepare({ ...p.fp, words: words.slice(titleWords, leadEnd) }).shingles;
  return [...new Set([...keys, ...lead])];
}

export function createStoryAssigner(index: CandidateIndex, options: StoryAssignerOptions = {}): StoryAssigner {
  const windowMs = (options.windowHours ?? 72) * HOUR_MS;
  const maxCandidates = options.maxCandidates ?? 20;
  const maxPostings = options.maxPostings ?? 200;
  const sampleBits = options.sampleBits ?? 2;
  const leadWords = options.leadWords ?? 30;
  const now = options.now ?? Date.now;
  const tracker: RepeatedLineTracker = createRepeatedLineTracker();
  const preparedCache = new Map<string, Prepared>();

  function prepared(item: IndexedItem): Prepared {
    let p = preparedCache.get(item.id);
    if (!p) {
      p = prepare(item.fingerprint);
      preparedCache.set(item.id, p);
      // Bounded: the window moves on, and old items are rarely candidates again.
      if (preparedCache.size > 50_000) preparedCache.delete(preparedCache.keys().next().value!);
    }
    return p;
  }

  return {
    async assign(input) {
      const lines = tracker.strip(input.source, stripBoilerplate(input.text));
      const fp = fingerprint(input.title, lines);
      const self = prepare(fp);
      const publishedAt = input.publishedAt?.getTime() ?? now();
      const keys = indexKeys(self, sampleBits, leadWords);
      const { counts, total } = await index.documentFrequencies(self.distinctWords);
      const idfByWord = new Map<number, number>();
      self.distinctWords.forEach((w, i) => idfByWord.set(w, Math.log((total + 1) / (counts[i] + 1))));
      const maxIdf = Math.log(total + 1);
      const idf = (w: number) => idfByWord.get(w) ?? maxIdf;

      return index.withAssignmentLock(async () => {
        const passing: { item: IndexedItem; score: number }[] = [];
        if (keys.length > 0) {
          const hits = await index.findCandidates({
            keys,
            fromMs: publishedAt - windowMs,
            toMs: publishedAt + windowMs,
            limit: maxCandidates,
            maxPostings,
          });
          for (const c of await index.getItems(hits.map((h) => h.id))) {
            const e = compareFingerprints(self, prepared(c), idf);
            if (isSameReport(e)) passing.push({ item: c, score: matchScore(e) });
          }
        }
        passing.sort((a, b) => b.score - a.score);
        let storyId = input.id;
        let matchedItemId: string | null = null;
        const rejectedStories = new Set<string>();
        for (const { item } of passing) {
          if (rejectedStories.has(item.storyId)) continue;
          const [first] = item.storyId === item.id ? [item] : await index.getItems([item.storyId]);
          if (first && !overlapsFirstItem(compareFingerprints(self, prepared(first), idf))) {
            rejectedStories.add(item.storyId);
            continue;
          }
          storyId = item.storyId;
          matchedItemId = item.id;
          break;
        }
        await index.add({ id: input.id, source: input.source, storyId, publishedAt, fingerprint: fp }, keys, self.distinctWords);
        return { storyId, matchedItemId };
      });
    },
  };
}

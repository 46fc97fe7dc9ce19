import { splitLines } from '../arabic/split-lines.js';
import { createRepeatedLineTracker, stripBoilerplate, type RepeatedLineTracker } from '../arabic/strip-boilerplate.js';
import type { CandidateIndex, IndexedItem } from './candidate-index.js';
import { compareFingerprints, idfContainment, prepare, type Prepared } from './compare-fingerprints.js';
import { fingerprint, shingles, type Fingerprint } from './fingerprint.js';
import { alignSentences, figureOverlap, isFigure } from './align-sentences.js';
import { novelLeadWords } from './novel-lead.js';
import { SAME_REPORT_RULE, alignmentRouteApplies, isAlignedCopy, isFollowUp, isSameReport, isTemplateVariant, matchScore, needsIdf, overlapsFirstItem } from './same-report.js';

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
  /** How a story is anchored against chaining (see belongsToStory). */
  anchor?: 'first' | 'majority' | 'none';
  anchorMembers?: number;
  /** Reject pairs whose lead sentence differs only in figures (template news). */
  templateCheck?: boolean;
  /** Reject pairs where the newer, longer item leads with substantial new material (a follow-up). */
  followUpCheck?: boolean;
  /** Accept rewritten copies whose every sentence has a counterpart (see isAlignedCopy). */
  alignmentRoute?: boolean;
  /** Keep a source's next edition of a series (daily weather, a programme's branches) out of the last one's story. */
  seriesCheck?: boolean;
  now?: () => number;
}

export interface StoryAssigner {
  assign(input: DedupInput): Promise<StoryAssignment>;
}

const HOUR_MS = 3_600_000;

/** Index keys: a deterministic sample of the 3-grams (same rule on every item, so shared text shares keys) plus the lead. */
export function indexKeys(p: Prepared, sampleBits: number, leadWords: number): number[] {
  const mask = (1 << sampleBits) - 1;
  const keys = new Set<number>();
  for (const h of p.shingles) if ((h & mask) === 0) keys.add(h);
  const { words, titleWords } = p.fp;
  for (const h of shingles(words, titleWords, Math.min(words.length, titleWords + leadWords))) keys.add(h);
  return [...keys];
}

function isTemplate(a: Fingerprint, b: Fingerprint): boolean {
  const figures = figureOverlap(a, b);
  // Texts sharing most of their figures are never template variants: skip the sentence alignment.
  if (figures.shared >= SAME_REPORT_RULE.templateSharedFigures * figures.fewer) return false;
  return isTemplateVariant(alignSentences(a, b, isFigure), figures);
}

export function createStoryAssigner(index: CandidateIndex, options: StoryAssignerOptions = {}): StoryAssigner {
  const windowMs = (options.windowHours ?? 72) * HOUR_MS;
  const maxCandidates = options.maxCandidates ?? 10;
  const maxPostings = options.maxPostings ?? 50;
  const sampleBits = options.sampleBits ?? 3;
  const leadWords = options.leadWords ?? 30;
  const now = options.now ?? Date.now;
  const anchor = options.anchor ?? 'majority';
  const anchorMembers = options.anchorMembers ?? 7;
  const templateCheck = options.templateCheck ?? true;
  const alignRoute = options.alignmentRoute ?? true;
  const seriesCheck = options.seriesCheck ?? true;
  const followUpCheck = options.followUpCheck ?? true;
  const tracker: RepeatedLineTracker = createRepeatedLineTracker();
  const preparedCache = new Map<string, Prepared>();

  function remember(id: string, p: Prepared): void {
    preparedCache.set(id, p);
    // Bounded: the window moves on, and old items are rarely candidates again.
    if (preparedCache.size > 50_000) preparedCache.delete(preparedCache.keys().next().value!);
  }

  function prepared(item: IndexedItem): Prepared {
    let p = preparedCache.get(item.id);
    if (!p) {
      p = prepare(item.fingerprint);
      remember(item.id, p);
    }
    return p;
  }

  /**
   * Anti-chaining: matching one member is not enough, the item must also overlap the story's anchor.
   * 'first' is the story's first item; 'majority' is at least half of its earliest members, which survives
   * a story whose first item is itself a broader piece.
   */
  /**
   * An outlet does not republish its own report a day later with changes: a story member from the same source,
   * a day or more apart, that this item does not copy, means this is the series' next edition (tomorrow's
   * forecast, the next branch's Eid party) — template news the figure check cannot see.
   */
  function isNextEdition(self: Prepared, source: string, publishedAt: number, member: IndexedItem): boolean {
    const r = SAME_REPORT_RULE;
    if (member.source !== source || Math.abs(member.publishedAt - publishedAt) < r.seriesGapHours * HOUR_MS) return false;
    return compareFingerprints(self, prepared(member), null).containment < r.seriesOwnCopyContainment;
  }

  async function belongsToStory(self: Prepared, storyId: string, source: string, publishedAt: number): Promise<boolean> {
    if (anchor === 'none') return true;
    const members = await index.getStoryItems(storyId, anchor === 'first' ? 1 : anchorMembers);
    if (seriesCheck && members.some((m) => isNextEdition(self, source, publishedAt, m))) return false;
    // Template news chains easily (each day's forecast matches the day before): the item must not be a
    // template variant of the story's first report either.
    if (templateCheck && members.length > 0 && isTemplate(self.fp, members[0].fingerprint)) return false;
    // A strict majority: in a two-item story, matching the one member that led here proves nothing.
    const needed = Math.floor(members.length / 2) + 1;
    let overlapping = 0;
    for (let i = 0; i < members.length; i++) {
      if (overlapsFirstItem(compareFingerprints(self, prepared(members[i]), null))) overlapping++;
      if (overlapping >= needed) return true;
      if (overlapping + members.length - 1 - i < needed) return false;
    }
    return overlapping >= needed;
  }

  return {
    async assign(input) {
      const lines = tracker.strip(input.source, stripBoilerplate(splitLines(input.text)));
      const fp = fingerprint(input.title, lines);
      const self = prepare(fp);
      const publishedAt = input.publishedAt?.getTime() ?? now();
      const keys = indexKeys(self, sampleBits, leadWords);
      // idf weights are fetched only when a pair needs them, for both sides' words.
      const idfByWord = new Map<number, number>();
      const idf = (w: number) => idfByWord.get(w)!;
      async function loadIdf(words: Int32Array): Promise<void> {
        const missing = Array.from(words).filter((w) => !idfByWord.has(w));
        if (missing.length === 0) return;
        const { counts, total } = await index.documentFrequencies(missing);
        missing.forEach((w, i) => idfByWord.set(w, Math.log((total + 1) / (counts[i] + 1))));
      }

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
          const hitsById = new Map(hits.map((h) => [h.id, h.hits]));
          for (const c of await index.getItems(hits.map((h) => h.id))) {
            const other = prepared(c);
            // Two long texts sharing a single sampled key share too few 3-grams to pass: skip the exact count.
            if (hitsById.get(c.id)! < 2 && Math.min(self.shingles.length, other.shingles.length) >= 80) continue;
            const e = compareFingerprints(self, other, null);
            if (needsIdf(e)) {
              await loadIdf(self.distinctWords);
              await loadIdf(other.distinctWords);
              e.idfContainment = idfContainment(self, other, idf);
            }
            if (isSameReport(e)) passing.push({ item: c, score: matchScore(e) });
            else if (alignRoute && alignmentRouteApplies(e) && isAlignedCopy(alignSentences(fp, c.fingerprint, isFigure, { alignShare: SAME_REPORT_RULE.alignedSentenceShare, minWords: 4 }))) {
              passing.push({ item: c, score: matchScore(e) });
            }
          }
        }
        passing.sort((a, b) => b.score - a.score);
        let storyId = input.id;
        let matchedItemId: string | null = null;
        const rejectedStories = new Set<string>();
        // Best match first; the costlier checks run only until one story accepts the item.
        for (const { item } of passing) {
          if (rejectedStories.has(item.storyId)) continue;
          if (templateCheck && isTemplate(fp, item.fingerprint)) continue;
          if (followUpCheck) {
            // Items arrive in order, so this one is the newer of the pair.
            const other = prepared(item);
            const bodyWords = fp.words.length - fp.titleWords;
            if (isFollowUp(novelLeadWords(fp, other.shingles), bodyWords, bodyWords > other.fp.words.length - other.fp.titleWords)) continue;
          }
          if (!(await belongsToStory(self, item.storyId, input.source, publishedAt))) {
            rejectedStories.add(item.storyId);
            continue;
          }
          storyId = item.storyId;
          matchedItemId = item.id;
          break;
        }
        await index.add({ id: input.id, source: input.source, storyId, publishedAt, fingerprint: fp }, keys, Array.from(self.distinctWords));
        remember(input.id, self);
        return { storyId, matchedItemId };
      });
    },
  };
}

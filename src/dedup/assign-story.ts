import { splitLines } from '../arabic/split-lines.js';
import { normalizeText } from '../arabic/normalize-text.js';
import { createRepeatedLineTracker, dropTitleEchoes, stripBoilerplate, type RepeatedLineTracker } from '../arabic/strip-boilerplate.js';
import type { CandidateIndex, CandidateQuery, IndexedItem } from './candidate-index.js';
import { compareFingerprints, idfContainment, prepare, restContainment, type Prepared } from './compare-fingerprints.js';
import { createPreparedCache, DEFAULT_PREPARED_CACHE_BYTES, DEFAULT_PREPARED_CACHE_SIZE } from './create-prepared-cache.js';
import { fingerprint, isNumberWordHash, shingles, type Fingerprint } from './fingerprint.js';
import { alignSentences, isFigure, isTemplateSpecific, specificOverlap, templateSpecifics } from './align-sentences.js';
import { novelLeadWords, novelSentences } from './novel-lead.js';
import { SAME_REPORT_RULE, addsOwnNews, alignmentRouteApplies, figureRouteApplies, isAlignedCopy, isCopyBelowIntro, isFollowUp, isRareFigure, isSameReport, isShortPair, isTemplateVariant, matchScore, needsIdf, overlapsFirstItem } from './same-report.js';

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
  /**
   * Other stories this item is also a copy of (an article carrying two reports), with `alsoStories` on; the item's
   * index entry stays in `storyId`, so later copies of either report are not pulled through it.
   */
  also: string[];
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
  /** How a story is anchored against chaining (see storyRejection). */
  anchor?: 'first' | 'majority' | 'none';
  anchorMembers?: number;
  /**
   * What the item must be to the anchor members: 'overlap' (containment ≥ 0.3, the old rule) or 'match' (a copy by
   * the pairwise rule itself, so an item joins only a story it copies, not one member of it).
   */
  anchorRule?: 'overlap' | 'match' | 'first-match';
  /**
   * Prepared fingerprints kept for candidates, least recently used dropped first: at most this many (default 5,000)…
   */
  preparedCacheSize?: number;
  /**
   * …and at most about this many bytes (default 40 MB, see preparedBytes). A full article's is ~7 KB, one of the longest
   * texts allowed (MAX_CONTENT_TEXT_CHARS) ~0.4 MB, so a count alone bounds nothing; any 5,000 consecutive articles of
   * the dev stream take at most 39 MB. Only a memo: a prepared fingerprint is rebuilt from the stored one, with the same
   * result, but rebuilding costs: with 8-byte arrays, at 16 MB bench:dedup fell from 3,400–3,600 to 2,490–2,780 items/s
   * (32 MB: 2,970; 48 MB: 3,360), so the budget sits just above what 5,000 articles take, a bound for long texts.
   */
  preparedCacheBytes?: number;
  /** Let an item that passes every check of more than one story belong to all of them (up to 2 more). */
  alsoStories?: boolean;
  /** With anchorRule 'match': items with fewer 3-grams than this (a lead) use the overlap rule. */
  anchorMatchMinShingles?: number;
  /** Share of the anchor members the item must match (more than this share; 0.5 is a strict majority). */
  anchorShare?: number;
  /** Reject pairs whose lead sentence differs only in figures (template news). */
  templateCheck?: boolean;
  /** Reject pairs where the newer, longer item leads with substantial new material (a follow-up). */
  followUpCheck?: boolean;
  /** Accept rewritten copies whose every sentence has a counterpart (see isAlignedCopy). */
  alignmentRoute?: boolean;
  /** Accept a copy under an outlet's own first sentence (see isCopyBelowIntro). */
  introRoute?: boolean;
  /** Keep a source's next edition of a series (daily weather, a programme's branches) out of the last one's story. */
  seriesCheck?: boolean;
  /** Keep a newer, longer item that adds its own news (and leads with it) out of the story of an older item it contains. */
  ownNewsCheck?: boolean;
  /** Accept two leads that share a rare figure, some verbatim text and most rare words (see figureRouteApplies). */
  figureRoute?: boolean;
  /**
   * Keep a short member from bridging long ones: an item much longer than the member that led it to a story must copy
   * (pairwise rule) the anchor members that are much longer than that member too, not only overlap them (isBridged).
   */
  bridgeCheck?: boolean;
  /**
   * Which item-level refusals close the candidate's whole story to the item: 'own-news' (and 'follow-up'). The
   * subscriber reads the item after the story, so news of its own against one member is news against the story; without
   * this the item is refused by one member and joins through another it is not (yet) own news against.
   */
  stickyRejections?: 'none' | 'own-news' | 'own-news+follow-up';
  /**
   * The bridge check the other way round (0: off): when the member that led the item here is more than this many times
   * longer than the item (a composite, a roundup holding it), anchor members it is that much longer than must be copied
   * too — the item and such a member overlap each other only through the long one.
   */
  longBridgeRatio?: number;
  now?: () => number;
  /** Diagnostics (scripts/diagnose-dedup.ts): called once per item with what was found, verified and tried. */
  trace?: (t: AssignTrace) => void;
}

/** What happened to one item, for diagnostics only. */
export interface AssignTrace {
  id: string;
  publishedAt: number;
  fingerprint: Fingerprint;
  keys: number[];
  candidates: { id: string; hits: number }[];
  /** Per verified candidate: its evidence and whether it passed (by which route), or why it was skipped. */
  verified: { id: string; outcome: 'pass' | 'aligned' | 'intro' | 'figure' | 'fail' | 'single-hit'; containment: number; idfContainment: number; sizeA: number; sizeB: number }[];
  /** Per passing candidate tried in order: why it was not joined, or 'joined'. */
  tried: { id: string; storyId: string; outcome: 'joined' | 'template' | 'follow-up' | 'own-news' | 'story-rejected' | 'anchor' | 'series' | 'story-template' | 'story-own-news' }[];
  storyId: string;
}

export interface StoryAssigner {
  assign(input: DedupInput): Promise<StoryAssignment>;
  /**
   * assign() in two steps, for batches (the worker): fingerprinting and index keys need no index and no lock, so they
   * run first, in publication order; then assignPrepared() in the same order.
   */
  prepareInput(input: DedupInput): PreparedInput;
  /**
   * `index`: the index this item is read against and added to, when not the assigner's own (the worker: each store
   * transaction assigns through its own batch index; the assigner keeps what outlives a batch).
   */
  assignPrepared(prepared: PreparedInput, index?: CandidateIndex): Promise<StoryAssignment>;
  /** The candidate query assignPrepared() will send for this item (a batch index reads them all at once). */
  candidateQuery(prepared: PreparedInput): CandidateQuery;
  /** How many of a story's first members assignment reads (getStoryItems' limit). */
  storyMembersLimit: number;
  /**
   * The fingerprint of an item this assigner holds prepared (one it assigned or verified lately), which is the one it
   * compares with: a batch index need not read it from the database again.
   */
  knownFingerprint(id: string): Fingerprint | undefined;
  /** Drops what it holds of these items (their stored fingerprints changed: a correction). */
  forget(ids: string[]): void;
}

/** An item fingerprinted for assignment (StoryAssigner.prepareInput). */
export interface PreparedInput {
  input: DedupInput;
  fp: Fingerprint;
  self: Prepared;
  publishedAt: number;
  keys: number[];
}

const HOUR_MS = 3_600_000;

/** How index keys are sampled (assigner options `sampleBits`, `leadWords`); reindexing uses the same. */
export const INDEX_KEY_DEFAULTS = { sampleBits: 3, leadWords: 30 } as const;

/**
 * The matching form of an item: its text split into lines, junk lines and the lines its source repeats across recent
 * items dropped (`tracker` remembers them, so call in publication order), then fingerprinted.
 */
export function fingerprintInput(tracker: RepeatedLineTracker, input: Pick<DedupInput, 'source' | 'title' | 'text'>): Fingerprint {
  const lines = dropTitleEchoes(stripBoilerplate(splitLines(input.text)), normalizeText(input.title));
  return fingerprint(input.title, tracker.strip(input.source, lines));
}

/** Index keys: a deterministic sample of the 3-grams (same rule on every item, so shared text shares keys) plus the lead. */
export function indexKeys(p: Prepared, sampleBits: number, leadWords: number): number[] {
  const mask = (1 << sampleBits) - 1;
  const keys = new Set<number>();
  for (const h of p.shingles) if ((h & mask) === 0) keys.add(h);
  const { words, titleWords } = p.fp;
  for (const h of shingles(words, titleWords, Math.min(words.length, titleWords + leadWords))) keys.add(h);
  return [...keys];
}

/** An item's templateSpecifics, made once: the template check compares it with every candidate it meets. */
function specificsOf(p: Prepared): Int32Array {
  p.specifics ??= templateSpecifics(p.fp);
  return p.specifics;
}

function isTemplate(self: Prepared, other: Prepared): boolean {
  const [a, b] = [self.fp, other.fp];
  const figures = specificOverlap(specificsOf(self), specificsOf(other));
  // Texts sharing most of their figures and countries are never template variants: skip the sentence alignment.
  if (figures.shared >= SAME_REPORT_RULE.templateSharedFigures * figures.fewer) return false;
  return isTemplateVariant(alignSentences(a, b, isTemplateSpecific), figures);
}

export function createStoryAssigner(defaultIndex: CandidateIndex, options: StoryAssignerOptions = {}): StoryAssigner {
  const windowMs = (options.windowHours ?? 72) * HOUR_MS;
  const maxCandidates = options.maxCandidates ?? 10;
  const maxPostings = options.maxPostings ?? 50;
  const sampleBits = options.sampleBits ?? INDEX_KEY_DEFAULTS.sampleBits;
  const leadWords = options.leadWords ?? INDEX_KEY_DEFAULTS.leadWords;
  const now = options.now ?? Date.now;
  const anchor = options.anchor ?? 'majority';
  const anchorMembers = options.anchorMembers ?? 7;
  const anchorRule = options.anchorRule ?? 'overlap';
  const anchorShare = options.anchorShare ?? 0.5;
  const alsoStories = options.alsoStories ?? false;
  const anchorMatchMinShingles = options.anchorMatchMinShingles ?? 0;
  const templateCheck = options.templateCheck ?? true;
  const alignRoute = options.alignmentRoute ?? true;
  const introRoute = options.introRoute ?? true;
  const seriesCheck = options.seriesCheck ?? true;
  const followUpCheck = options.followUpCheck ?? true;
  const ownNewsCheck = options.ownNewsCheck ?? true;
  const figureRoute = options.figureRoute ?? true;
  const bridgeCheck = options.bridgeCheck ?? true;
  const stickyRejections = options.stickyRejections ?? 'none';
  const longBridgeRatio = options.longBridgeRatio ?? 0;
  const tracker: RepeatedLineTracker = createRepeatedLineTracker();
  const preparedCache = createPreparedCache(options.preparedCacheSize ?? DEFAULT_PREPARED_CACHE_SIZE, options.preparedCacheBytes ?? DEFAULT_PREPARED_CACHE_BYTES);
  const remember = (id: string, p: Prepared) => preparedCache.set(id, p);

  function prepared(item: IndexedItem): Prepared {
    const p = preparedCache.get(item.id) ?? prepare(item.fingerprint);
    remember(item.id, p);
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
  function isNextEdition(self: Prepared, source: string, publishedAt: number, members: IndexedItem[]): boolean {
    const r = SAME_REPORT_RULE;
    const own = members.filter((m) => m.source === source);
    if (!own.some((m) => Math.abs(m.publishedAt - publishedAt) >= r.seriesGapHours * HOUR_MS)) return false;
    // The outlet's reprint of one of its own items in the story (the print edition of its web story) is no new edition,
    // even when it carries another of the outlet's items on the story less closely.
    return !own.some((m) => compareFingerprints(self, prepared(m), null).containment >= r.copyContainment);
  }

  /** Whether `self`, the newer item, is longer than `older` and adds news of its own, leading with it. */
  function ownNewsAgainst(self: Prepared, older: Prepared): boolean {
    const [a, b] = [self.fp, older.fp];
    return a.words.length - a.titleWords > b.words.length - b.titleWords && addsOwnNews(novelSentences(a, b));
  }

  /**
   * The item reached the story through `via`, a member it is much longer than (a statement, a lead), and `member` is
   * much longer than `via` too: the two long texts overlap through the short one, so overlapping each other proves
   * nothing (two reports quoting one statement). The item must be a copy of such a member (the pairwise rule).
   */
  function isBridged(self: Prepared, member: Prepared, memberId: string, via: IndexedItem): boolean {
    if (memberId === via.id) return false;
    const viaSize = prepared(via).shingles.length;
    const bridge = SAME_REPORT_RULE.bridgeLengthRatio * viaSize;
    if (self.shingles.length > bridge && member.shingles.length > bridge) return true;
    // The other way round: a long member (a composite, a roundup) holds both the item and the member, which then
    // overlap each other only through it.
    return longBridgeRatio > 0 && viaSize > longBridgeRatio * self.shingles.length && viaSize > longBridgeRatio * member.shingles.length;
  }

  /** null when the item may join the story, else why not. */
  async function storyRejection(
    index: CandidateIndex,
    self: Prepared,
    storyId: string,
    source: string,
    publishedAt: number,
    matches: (member: IndexedItem) => Promise<boolean>,
    /** The passing candidate that led the item to this story. */
    via: IndexedItem | null = null,
  ): Promise<'series' | 'story-template' | 'story-own-news' | 'anchor' | null> {
    if (anchor === 'none') return null;
    const members = await index.getStoryItems(storyId, anchor === 'first' ? 1 : anchorMembers);
    if (seriesCheck && isNextEdition(self, source, publishedAt, members)) return 'series';
    // Template news chains easily (each day's forecast matches the day before): the item must not be a
    // template variant of the story's first report either.
    if (templateCheck && members.length > 0 && isTemplate(self, prepared(members[0]))) return 'story-template';
    // A strict majority: in a two-item story, matching the one member that led here proves nothing.
    // At least one (a story whose members were not found is refused, as before), at most every member (anchorShare 1).
    const needed = Math.max(1, Math.min(members.length, Math.floor(members.length * anchorShare) + 1));
    // The story's first item is its core: the item must be a copy of it, not only of a member that joined it loosely.
    if (anchorRule === 'first-match' && members.length > 0 && !(await matches(members[0]))) return 'anchor';
    let overlapping = 0;
    for (let i = 0; i < members.length; i++) {
      const member = prepared(members[i]);
      if (bridgeCheck && via !== null && isBridged(self, member, members[i].id, via)) {
        if (await matches(members[i])) overlapping++;
      } else if (anchorRule === 'match' && self.shingles.length >= anchorMatchMinShingles) {
        if (await matches(members[i])) overlapping++;
      } else {
        const e = compareFingerprints(self, member, null);
        if (overlapsFirstItem(e, introRoute ? () => restContainment(self, member, SAME_REPORT_RULE.minShingles, SAME_REPORT_RULE.firstItemContainment, e.shared) : null)) overlapping++;
        // Two leads the figure route joins overlap by less than the anchor's bar: a member they match counts.
        else if (figureRoute && isShortPair(e) && e.containment >= SAME_REPORT_RULE.figureRouteContainment && (await matches(members[i]))) overlapping++;
      }
      if (overlapping >= needed) return null;
      if (overlapping + members.length - 1 - i < needed) return 'anchor';
    }
    return overlapping >= needed ? null : 'anchor';
  }

  function prepareInput(input: DedupInput): PreparedInput {
    const fp = fingerprintInput(tracker, input);
    const self = prepare(fp);
    const publishedAt = input.publishedAt?.getTime() ?? now();
    return { input, fp, self, publishedAt, keys: indexKeys(self, sampleBits, leadWords) };
  }

  function candidateQuery(p: PreparedInput): CandidateQuery {
    return { keys: p.keys, fromMs: p.publishedAt - windowMs, toMs: p.publishedAt + windowMs, limit: maxCandidates, maxPostings };
  }

  async function assignPrepared({ input, fp, self, publishedAt, keys }: PreparedInput, index: CandidateIndex = defaultIndex): Promise<StoryAssignment> {
      // idf weights are fetched only when a pair needs them, for both sides' words.
      const idfByWord = new Map<number, number>();
      let indexed = 0;
      const idf = (w: number) => idfByWord.get(w)!;
      async function loadIdf(words: Int32Array): Promise<void> {
        const missing = Array.from(words).filter((w) => !idfByWord.has(w));
        if (missing.length === 0) return;
        const { counts, total } = await index.documentFrequencies(missing);
        indexed = total;
        missing.forEach((w, i) => idfByWord.set(w, Math.log((total + 1) / (counts[i] + 1))));
      }
      /**
       * Both fingerprints carry a figure written in digits that few indexed items have (their words' idf is loaded).
       * Number words are left out: «ثلاث جهات», «ستة أسابيع», «عامه السابع عشر» are phrasing, not the report's figures.
       * A year counts when it is rare («a video from 2013»), as any figure; «2015» and «1436» are common.
       */
      function sharesRareFigure(a: Fingerprint, b: Fingerprint): boolean {
        let j = 0;
        for (const h of a.numbers) {
          while (j < b.numbers.length && b.numbers[j] < h) j++;
          if (j < b.numbers.length && b.numbers[j] === h && !isNumberWordHash(h) && isRareFigure(idf(h), indexed)) return true;
        }
        return false;
      }

      /** The pairwise rule: whether this item is a copy of `item` (and by which route). */
      async function verify(other: Prepared, item: IndexedItem): Promise<{ outcome: 'pass' | 'aligned' | 'intro' | 'figure' | 'fail'; e: ReturnType<typeof compareFingerprints> }> {
        const e = compareFingerprints(self, other, null);
        if (needsIdf(e, figureRoute)) {
          await loadIdf(self.distinctWords);
          await loadIdf(other.distinctWords);
          e.idfContainment = idfContainment(self, other, idf);
        }
        let outcome: 'pass' | 'aligned' | 'intro' | 'figure' | 'fail' = 'fail';
        if (isSameReport(e)) outcome = 'pass';
        else if (alignRoute && alignmentRouteApplies(e) && isAlignedCopy(alignSentences(fp, item.fingerprint, isFigure, { alignShare: SAME_REPORT_RULE.alignedSentenceShare, minWords: 4 }))) {
          outcome = 'aligned';
        } else if (introRoute && isCopyBelowIntro(e, restContainment(self, other, SAME_REPORT_RULE.minShingles, SAME_REPORT_RULE.introRestContainment, e.shared))) {
          outcome = 'intro';
        } else if (figureRoute && figureRouteApplies(e) && sharesRareFigure(fp, item.fingerprint)) {
          outcome = 'figure';
        }
        return { outcome, e };
      }
      const verdicts = new Map<string, boolean>();
      async function matches(member: IndexedItem): Promise<boolean> {
        let verdict = verdicts.get(member.id);
        if (verdict === undefined) {
          verdict = (await verify(prepared(member), member)).outcome !== 'fail';
          verdicts.set(member.id, verdict);
        }
        return verdict;
      }

      return index.withAssignmentLock(async () => {
        const trace: AssignTrace | null = options.trace ? { id: input.id, publishedAt, fingerprint: fp, keys, candidates: [], verified: [], tried: [], storyId: '' } : null;
        const passing: { item: IndexedItem; score: number }[] = [];
        if (keys.length > 0) {
          const hits = await index.findCandidates(candidateQuery({ input, fp, self, publishedAt, keys }));
          const hitsById = new Map(hits.map((h) => [h.id, h.hits]));
          if (trace) trace.candidates = hits;
          for (const c of await index.getItems(hits.map((h) => h.id))) {
            const other = prepared(c);
            // Two long texts sharing a single sampled key share too few 3-grams to pass: skip the exact count.
            if (hitsById.get(c.id)! < 2 && Math.min(self.shingles.length, other.shingles.length) >= 80) {
              trace?.verified.push({ id: c.id, outcome: 'single-hit', containment: NaN, idfContainment: NaN, sizeA: self.shingles.length, sizeB: other.shingles.length });
              continue;
            }
            const { outcome, e } = await verify(other, c);
            // The anchor rule 'match' asks the same question of story members: a candidate is not verified twice.
            verdicts.set(c.id, outcome !== 'fail');
            if (outcome !== 'fail') passing.push({ item: c, score: matchScore(e) });
            trace?.verified.push({ id: c.id, outcome, containment: e.containment, idfContainment: e.idfContainment, sizeA: e.sizeA, sizeB: e.sizeB });
          }
        }
        passing.sort((a, b) => b.score - a.score);
        let storyId = input.id;
        let matchedItemId: string | null = null;
        const rejectedStories = new Set<string>();
        const also: string[] = [];
        // Best match first; the costlier checks run only until one story accepts the item (with alsoStories, on
        // through the other stories of passing candidates).
        for (const { item } of passing) {
          if (rejectedStories.has(item.storyId) || item.storyId === storyId || also.includes(item.storyId)) {
            trace?.tried.push({ id: item.id, storyId: item.storyId, outcome: 'story-rejected' });
            continue;
          }
          // An operator's split: the item goes with the side of its closest member, never through to the other.
          for (const apart of index.apartFrom?.(item.storyId) ?? []) rejectedStories.add(apart);
          if (templateCheck && isTemplate(self, prepared(item))) {
            trace?.tried.push({ id: item.id, storyId: item.storyId, outcome: 'template' });
            continue;
          }
          if (followUpCheck) {
            // Items arrive in order, so this one is the newer of the pair.
            const other = prepared(item);
            const bodyWords = fp.words.length - fp.titleWords;
            if (isFollowUp(novelLeadWords(fp, other.shingles), bodyWords, bodyWords > other.fp.words.length - other.fp.titleWords)) {
              trace?.tried.push({ id: item.id, storyId: item.storyId, outcome: 'follow-up' });
              if (stickyRejections === 'own-news+follow-up') rejectedStories.add(item.storyId);
              continue;
            }
          }
          if (ownNewsCheck) {
            // Asymmetric containment: the newer item is the one read second.
            const other = prepared(item);
            if (ownNewsAgainst(self, other)) {
              trace?.tried.push({ id: item.id, storyId: item.storyId, outcome: 'own-news' });
              if (stickyRejections !== 'none') rejectedStories.add(item.storyId);
              continue;
            }
          }
          const rejection = await storyRejection(index, self, item.storyId, input.source, publishedAt, matches, item);
          if (rejection) {
            trace?.tried.push({ id: item.id, storyId: item.storyId, outcome: rejection });
            rejectedStories.add(item.storyId);
            continue;
          }
          trace?.tried.push({ id: item.id, storyId: item.storyId, outcome: 'joined' });
          if (matchedItemId === null) {
            storyId = item.storyId;
            matchedItemId = item.id;
            if (!alsoStories) break;
          } else {
            also.push(item.storyId);
            if (also.length >= 2) break;
          }
        }
        await index.add({ id: input.id, source: input.source, storyId, publishedAt, fingerprint: fp }, keys, Array.from(self.distinctWords));
        remember(input.id, self);
        if (trace) {
          trace.storyId = storyId;
          options.trace!(trace);
        }
        return { storyId, matchedItemId, also };
      });
  }

  return {
    assign: (input) => assignPrepared(prepareInput(input)),
    prepareInput,
    assignPrepared,
    candidateQuery,
    storyMembersLimit: anchor === 'first' ? 1 : anchorMembers,
    knownFingerprint: (id) => preparedCache.get(id)?.fp,
    forget(ids) {
      for (const id of ids) preparedCache.delete(id);
    },
  };
}

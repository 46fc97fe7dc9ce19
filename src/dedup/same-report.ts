import type { SentenceAlignment } from './align-sentences.js';
import type { PairEvidence } from './compare-fingerprints.js';

/**
 * The rule that two items are one report. Thresholds are set by what the measures mean, not fitted to
 * labeled pairs: half of the shorter text's 3-grams verbatim in the longer is copy, not coincidence;
 * a rewording keeps most rare words even when it breaks 3-grams (three quarters of their idf weight;
 * 0.7 scored a little higher on the dev pairs but sits where independent write-ups of one event begin).
 */
export const SAME_REPORT_RULE = {
  /** Below this many distinct 3-grams on either side a text says too little to match on overlap. */
  minShingles: 8,
  containment: 0.5,
  idfContainment: 0.75,
  idfRouteContainment: 0.3,
  /**
   * The idf route between two leads (both under `figureRouteMaxShingles` 3-grams, isShortPair). Fifty words carry a
   * report's rare words or an independent lead's far less often than a full text does, so held-out lead-only precision
   * was 0.99 against 0.92–0.93 full text: a lead may pass on 0.7 of the rare words' weight. Measured on the dev stream:
   * lead-only labels 0.981 / 0.601 → 0.973 / 0.613, audit 1.000 / 0.372 → 1.000 / 0.405, both date halves up or
   * level; read as a subscriber, 18 of 20 sampled merges it adds are the same report (src/dedup/README.md).
   */
  shortIdfContainment: 0.7,
  /**
   * A text many times longer (a roundup, a long feature) contains many fixed phrases by chance: a short item
   * inside it must be there nearly whole.
   */
  embedRatio: 8,
  embedContainment: 0.8,
  /** A short text (title only, a one-line flash) merges only when nearly all of it is shared both ways. */
  shortJaccard: 0.8,
  /**
   * A newer, longer text opening with this many words that share nothing with the older one, making up at
   * least `followUpLeadShare` of its body, is a follow-up: its news is the new lead. One-sentence intros of
   * an outlet stay well under it.
   */
  followUpLeadWords: 60,
  followUpLeadShare: 0.2,
  /**
   * Asymmetric containment: a newer, longer item holding an older one whole is its own report when at least this share
   * of its body is in sentences with no counterpart in the older one (half of it is news the older never told) and it
   * leads with such sentences, `ownNewsLeadWords` words or more (a whole sentence of its own, not a dateline). The
   * other way round, a short item found inside a longer one it followed is a copy: reading it second tells nothing new.
   */
  ownNewsShare: 0.5,
  ownNewsLeadWords: 20,
  /**
   * The alignment route: a rewritten copy breaks 3-grams in every sentence, but each of the shorter text's
   * sentences still has a counterpart sharing most of its words. Needs at least `alignedMinSentences` judged
   * sentences (one or two aligned sentences are a shared quote or a fixed frame, not a copy), `alignedCoverage`
   * of their words aligned, some verbatim text and most of the rare words.
   */
  alignedMinSentences: 3,
  alignedCoverage: 0.9,
  alignedSentenceShare: 0.6,
  alignedIdfContainment: 0.6,
  /** This much of the shorter text word for word in the other: a copy, not the next edition of a series. */
  copyContainment: 0.8,
  /** Same source, this far apart, less than `copyContainment` copied: the next edition of a series (assign-story.ts). */
  seriesGapHours: 24,
  /** A lead figure swap is template news unless this share of the figures is common to both texts. */
  templateSharedFigures: 0.75,
  /**
   * The intro route: one side's body after its first sentence (an outlet's own intro set aside) sits nearly whole
   * in the other — the same bar as a short text inside a much longer one.
   */
  introRestContainment: 0.8,
  /** Joining a story also needs this much overlap with its first item (anti-chaining). */
  firstItemContainment: 0.3,
  /**
   * A member that led an item to a story bridges it when both the item and another anchor member are more than this
   * many times its length (in 3-grams): a quarter longer is a text with material of its own around the short one.
   */
  bridgeLengthRatio: 1.25,
  /**
   * The figure route, for leads only (both texts under `figureRouteMaxShingles` 3-grams: a feed's 50-word summary, a
   * flash): a rewritten or re-cut lead keeps the report's own figures — an amount, a count, a score — where independent
   * reports and other editions of a template have other ones. A figure written in digits (number words such as «ثلاث»,
   * «السابع» are phrasing) found in at most `rareFigureShare` of the indexed items (so not «2015» or «1436») shared by
   * both leads, with some verbatim text (`figureRouteContainment` of the shorter's 3-grams) and most of the rare words
   * (`figureRouteIdfContainment`), is the same report. Full texts say enough on their own; the route never applies to
   * them.
   */
  figureRouteMaxShingles: 100,
  figureRouteContainment: 0.2,
  figureRouteIdfContainment: 0.5,
  rareFigureShare: 0.01,
} as const;

/** Whether the figure route may apply to this pair (then sharesRareFigure decides), after isSameReport failed. */
export function figureRouteApplies(e: PairEvidence): boolean {
  const r = SAME_REPORT_RULE;
  return isShortPair(e) && e.containment >= r.figureRouteContainment && e.idfContainment >= r.figureRouteIdfContainment;
}

/** Both texts lead-sized (the figure route's domain). */
export function isShortPair(e: PairEvidence): boolean {
  const r = SAME_REPORT_RULE;
  return Math.min(e.sizeA, e.sizeB) >= r.minShingles && Math.max(e.sizeA, e.sizeB) < r.figureRouteMaxShingles;
}

/**
 * A figure in at most `rareFigureShare` of the `total` indexed items: the report's own, not this year's date or a common
 * count. Read from its idf, log((total + 1) / (count + 1)), which the assigner already holds: count ≤ share × total.
 */
export function isRareFigure(idf: number, total: number): boolean {
  return idf >= Math.log((total + 1) / (SAME_REPORT_RULE.rareFigureShare * total + 1));
}

/** Whether the alignment route applies (alignSentences with `alignedSentenceShare`, after isSameReport failed). */
export function alignmentRouteApplies(e: PairEvidence): boolean {
  const r = SAME_REPORT_RULE;
  return Math.min(e.sizeA, e.sizeB) >= r.minShingles && e.containment >= r.idfRouteContainment && e.containment < r.containment && e.idfContainment >= r.alignedIdfContainment;
}

export function isAlignedCopy(a: SentenceAlignment): boolean {
  const r = SAME_REPORT_RULE;
  return a.judged >= r.alignedMinSentences && a.alignedWords >= r.alignedCoverage * a.judgedWords;
}

/** Whether isSameReport needs the idf measure for this evidence (it is computed only then). */
export function needsIdf(e: PairEvidence, figureRoute = false): boolean {
  const r = SAME_REPORT_RULE;
  const from = figureRoute && isShortPair(e) ? r.figureRouteContainment : r.idfRouteContainment;
  return Math.min(e.sizeA, e.sizeB) >= r.minShingles && e.containment < r.containment && e.containment >= from;
}

export function isSameReport(e: PairEvidence): boolean {
  const r = SAME_REPORT_RULE;
  if (e.sizeA === 0 || e.sizeB === 0) return false;
  if (Math.min(e.sizeA, e.sizeB) < r.minShingles) return e.jaccard >= r.shortJaccard;
  if (Math.max(e.sizeA, e.sizeB) >= r.embedRatio * Math.min(e.sizeA, e.sizeB)) return e.containment >= r.embedContainment;
  if (e.containment >= r.containment) return true;
  return e.containment >= r.idfRouteContainment && e.idfContainment >= (isShortPair(e) ? r.shortIdfContainment : r.idfContainment);
}

/** `rest`: restContainment (compare-fingerprints.ts), after isSameReport failed. */
export function isCopyBelowIntro(e: PairEvidence, rest: number): boolean {
  const r = SAME_REPORT_RULE;
  return Math.min(e.sizeA, e.sizeB) >= r.minShingles && rest >= r.introRestContainment;
}

/**
 * Looser: the item is still about the story's first report, so a roundup cannot bridge two stories. `rest` (lazy,
 * restContainment) counts the same overlap with an outlet's own first sentence set aside, as the intro route does.
 */
export function overlapsFirstItem(e: PairEvidence, rest: (() => number) | null = null): boolean {
  const r = SAME_REPORT_RULE;
  if (Math.min(e.sizeA, e.sizeB) < r.minShingles) return e.jaccard >= r.shortJaccard;
  return e.containment >= r.firstItemContainment || (rest !== null && rest() >= r.firstItemContainment);
}

/** Orders passing candidates: more of the text verbatim first. */
export function matchScore(e: PairEvidence): number {
  return e.containment + 0.25 * e.jaccard;
}

/**
 * Template news: the shorter text's first sentence reappears in the other with another figure or ordinal
 * (relief flight 2 vs 3, 140 vs 100 students, another day's prices), and the texts' figures mostly differ
 * overall. The lead is where a report states its news; a republication copies it or rewrites it whole, it
 * does not swap its numbers — and when an outlet restates one figure (rounds an amount), the report's other
 * figures are still the same ones.
 */
export function isTemplateVariant(a: SentenceAlignment, figures: FigureOverlap): boolean {
  return a.leadVariant && figures.shared < SAME_REPORT_RULE.templateSharedFigures * figures.fewer;
}

export interface FigureOverlap {
  /** Distinct figures of the side that has fewer. */
  fewer: number;
  /** Of those, found on the other side. */
  shared: number;
}

/** `novelLead`: body words the newer text opens with before sharing a 3-gram with the older (novel-lead.ts). */
export function isFollowUp(novelLead: number, newerBodyWords: number, newerIsLonger: boolean): boolean {
  const r = SAME_REPORT_RULE;
  return newerIsLonger && novelLead >= r.followUpLeadWords && novelLead >= r.followUpLeadShare * newerBodyWords;
}

/** `novel`: novelSentences(newer, older) (novel-lead.ts), for a newer item with the longer body. */
export function addsOwnNews(novel: { share: number; leadingWords: number }): boolean {
  const r = SAME_REPORT_RULE;
  return novel.share >= r.ownNewsShare && novel.leadingWords >= r.ownNewsLeadWords;
}

import { intersectSize, shingles, sortedUnique, type Fingerprint } from './fingerprint.js';

/** What two items share, measured on normalized word 3-grams and idf-weighted words. */
export interface PairEvidence {
  /** Distinct 3-grams of each side. */
  sizeA: number;
  sizeB: number;
  shared: number;
  /** Shared 3-grams over the shorter side's: a lead or a cut copy inside a full one scores 1. */
  containment: number;
  jaccard: number;
  /** idf-weighted share of the shorter side's distinct words found in the longer: survives reordering and light rewording. */
  idfContainment: number;
}

/** Cached per-item derivations; a fingerprint is compared with many candidates. */
export interface Prepared {
  fp: Fingerprint;
  shingles: Int32Array;
  distinctWords: Int32Array;
  /** 3-grams of the body after its first sentence (null: fewer than two sentences); computed on first use. */
  rest?: Int32Array | null;
  /** 3-grams of the body's first sentence; computed on first use. */
  lead?: Int32Array;
  /** What the template check compares (templateSpecifics: figures and countries, a few dozen at most); on first use. */
  specifics?: Int32Array;
}

export function prepare(fp: Fingerprint): Prepared {
  return { fp, shingles: shingles(fp.words), distinctWords: sortedUnique(fp.words) };
}

/**
 * `idf(word)` gives the weight of a word hash. Pass null to skip the idf measure (it is the costly part and
 * most decisions are made on 3-grams alone); idfContainment is then NaN.
 */
export function compareFingerprints(a: Prepared, b: Prepared, idf: ((word: number) => number) | null): PairEvidence {
  const shared = intersectSize(a.shingles, b.shingles);
  const sizeA = a.shingles.length;
  const sizeB = b.shingles.length;
  const minSize = Math.min(sizeA, sizeB);
  return {
    sizeA,
    sizeB,
    shared,
    containment: minSize === 0 ? 0 : shared / minSize,
    jaccard: sizeA + sizeB - shared === 0 ? 0 : shared / (sizeA + sizeB - shared),
    idfContainment: idf ? idfContainment(a, b, idf) : NaN,
  };
}

export function idfContainment(a: Prepared, b: Prepared, idf: (word: number) => number): number {
  const [short, long] = a.distinctWords.length <= b.distinctWords.length ? [a.distinctWords, b.distinctWords] : [b.distinctWords, a.distinctWords];
  let num = 0;
  let den = 0;
  let j = 0;
  for (const w of short) {
    const weight = idf(w);
    den += weight;
    while (j < long.length && long[j] < w) j++;
    if (j < long.length && long[j] === w) num += weight;
  }
  return den === 0 ? 0 : num / den;
}

/** The body after its first sentence, as 3-grams: what is left of a copy once an outlet's own intro is set aside. */
function restShingles(p: Prepared): Int32Array | null {
  if (p.rest === undefined) {
    const { fp } = p;
    p.rest = fp.sentenceEnds.length < 2 ? null : shingles(fp.words, fp.sentenceEnds[0], fp.words.length);
  }
  return p.rest;
}

function leadShingles(p: Prepared): Int32Array {
  if (p.lead === undefined) {
    const { fp } = p;
    p.lead = fp.sentenceEnds.length === 0 ? new Int32Array(0) : shingles(fp.words, fp.titleWords, fp.sentenceEnds[0]);
  }
  return p.lead;
}

/**
 * How much of one side's body after its first sentence the other side has (the larger of both directions). An outlet
 * that writes its own first sentence over agency copy hides the copy from whole-text containment when the text is a
 * 50-word lead: the intro is half of it. A direction counts only when that rest has at least `minShingles` 3-grams
 * and holds most of the other side's first sentence — the copy starts below the intro where the source starts. Template
 * news (the King received X / Y, tomorrow's forecast) shares the frame below the lead but never the lead: its news.
 * `atLeast` and `shared` (the pair's shared 3-grams) let it skip a direction that cannot reach `atLeast`; it then
 * returns a value below `atLeast`, not the exact one.
 */
export function restContainment(a: Prepared, b: Prepared, minShingles: number, atLeast = 0, shared = Infinity): number {
  let best = 0;
  for (const [x, y] of [[a, b], [b, a]] as const) {
    // The rest's 3-grams are x's, so reaching `atLeast` needs shared ≥ atLeast × |rest| ≥ atLeast × (|x| − first-sentence
    // words): most pairs are ruled out here without building the rest.
    if (x.fp.sentenceEnds.length < 2 || atLeast * (x.shingles.length - x.fp.sentenceEnds[0]) > shared) continue;
    const rest = restShingles(x);
    if (!rest || rest.length < minShingles) continue;
    const lead = leadShingles(y);
    if (lead.length === 0 || 2 * intersectSize(lead, rest) < lead.length) continue;
    best = Math.max(best, intersectSize(rest, y.shingles) / rest.length);
  }
  return best;
}

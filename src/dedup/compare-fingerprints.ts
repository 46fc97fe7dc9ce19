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

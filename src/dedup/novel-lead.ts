import { hashShingle, type Fingerprint } from './fingerprint.js';
import { hasSorted } from './has-sorted.js';
import { bestCounterpart, sentenceSpans, sentencesByStem } from './align-sentences.js';

/**
 * How many body words the newer text opens with before it shares any 3-gram with the older one. A follow-up
 * (a ruling after the hearing preview, a reaction, a later directive) leads with the new development and
 * carries the earlier report whole below it; a republication copies the lead or adds a one-sentence intro.
 */
export function novelLeadWords(newer: Fingerprint, olderShingles: ArrayLike<number>): number {
  const older = olderShingles instanceof Int32Array ? olderShingles : Int32Array.from(olderShingles);
  const w = newer.words;
  let n = 0;
  for (let i = newer.titleWords; i + 2 < w.length; i++) {
    if (hasSorted(older, hashShingle(w[i], w[i + 1], w[i + 2]))) return n;
    n++;
  }
  return n;
}

/**
 * Of the newer text's body, the share of words in sentences that have no counterpart in the older text (no older
 * sentence holds `alignShare` of its distinct word stems), and how many of its first sentences in a row have none.
 * Stems, not 3-grams: a lightly edited copy breaks 3-grams in every sentence but keeps its counterparts.
 */
export function novelSentences(newer: Fingerprint, older: Fingerprint, alignShare = 0.5): { share: number; leading: number; leadingWords: number } {
  const olderByStem = sentencesByStem(older);
  let total = 0;
  let novel = 0;
  let leading = 0;
  let leadingWords = 0;
  let stillLeading = true;
  for (const [from, to] of sentenceSpans(newer)) {
    const own = new Set(newer.stems.slice(from, to));
    const words = to - from;
    total += words;
    const isNovel = bestCounterpart(own, olderByStem).shared < alignShare * own.size;
    if (isNovel) novel += words;
    if (stillLeading && isNovel) {
      leading++;
      leadingWords += words;
    } else stillLeading = false;
  }
  return { share: total === 0 ? 0 : novel / total, leading, leadingWords };
}

import { hashShingle, type Fingerprint } from './fingerprint.js';
import { hasSorted } from './has-sorted.js';

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

import { normalizeText } from '../arabic/normalize-text.js';

/**
 * Bump when hashing, normalization or shingling changes: stored fingerprints of another version
 * are not comparable and must be recomputed.
 */
export const FINGERPRINT_VERSION = 1;
const WORD_SEED = 0x9e3779b1 ^ FINGERPRINT_VERSION;
const SHINGLE_SEED = 0x85ebca6b ^ FINGERPRINT_VERSION;

/**
 * Everything dedup needs to know about one item, as plain ints and strings, so that a Postgres row
 * (int4[] columns) holds it without loss.
 */
export interface Fingerprint {
  /** Hash of each normalized word, title first, in text order. */
  words: number[];
  /** How many of `words` are the title's. */
  titleWords: number;
  /** Exclusive end index (into `words`) of each sentence of the body, in order. */
  sentenceEnds: number[];
  /** Sorted unique hashes of the words that contain a digit (dates, counts, amounts). */
  numbers: number[];
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export function hashWord(word: string): number {
  let h = WORD_SEED;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return fmix32(h ^ word.length);
}

/** Order-sensitive hash of three consecutive word hashes. */
export function hashShingle(a: number, b: number, c: number): number {
  let h = SHINGLE_SEED;
  h = Math.imul(h ^ a, 0xcc9e2d51);
  h = Math.imul((h << 13) | (h >>> 19), 5) ^ b;
  h = Math.imul(h, 0x1b873593);
  h = Math.imul((h << 15) | (h >>> 17), 5) ^ c;
  return fmix32(h);
}

const HAS_DIGIT = /\d/;
const SENTENCE_BREAK = /[.!?؟]+(?=\s|$)|\n+/u;

function pushWords(text: string, out: number[], numbers: number[]): void {
  const norm = normalizeText(text);
  if (norm === '') return;
  for (const w of norm.split(' ')) {
    const h = hashWord(w);
    out.push(h);
    if (HAS_DIGIT.test(w)) numbers.push(h);
  }
}

/** `bodyLines` are plain text lines with boilerplate already removed. */
export function fingerprint(title: string, bodyLines: string[]): Fingerprint {
  const words: number[] = [];
  const numbers: number[] = [];
  pushWords(title, words, numbers);
  const titleWords = words.length;
  const sentenceEnds: number[] = [];
  for (const line of bodyLines) {
    for (const sentence of line.split(SENTENCE_BREAK)) {
      const before = words.length;
      pushWords(sentence, words, numbers);
      if (words.length > before) sentenceEnds.push(words.length);
    }
  }
  return { words, titleWords, sentenceEnds, numbers: sortedUnique(numbers) };
}

export function sortedUnique(values: number[]): number[] {
  const a = Int32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[n - 1]) a[n++] = a[i];
  return Array.from(a.subarray(0, n));
}

/** Word 3-gram hashes of words[from, to), sorted unique. Shorter spans give their words as 1 shingle. */
export function shingles(words: number[], from = 0, to = words.length): number[] {
  const n = to - from;
  if (n <= 0) return [];
  if (n < 3) return [hashShingle(words[from], n > 1 ? words[from + 1] : 0, 0)];
  const out = new Array<number>(n - 2);
  for (let i = from; i < to - 2; i++) out[i - from] = hashShingle(words[i], words[i + 1], words[i + 2]);
  return sortedUnique(out);
}

/** Size of the intersection of two sorted unique int arrays. */
export function intersectSize(a: number[], b: number[]): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      n++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return n;
}

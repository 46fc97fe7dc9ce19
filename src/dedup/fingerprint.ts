import { NUMBER_WORDS, NUMBER_WORD_CLITICS, lightStemBounds } from '../arabic/light-stem.js';
import { COUNTRY_NAMES } from '../arabic/country-names.js';
import { normalizeText } from '../arabic/normalize-text.js';
import type { NormalizedLine } from '../arabic/split-lines.js';

/**
 * Bump when hashing, normalization or shingling changes: stored fingerprints of another version
 * are not comparable and must be recomputed.
 */
export const FINGERPRINT_VERSION = 3;
const WORD_SEED = 0x9e3779b1 ^ FINGERPRINT_VERSION;
const SHINGLE_SEED = 0x85ebca6b ^ FINGERPRINT_VERSION;

/**
 * Everything dedup needs to know about one item, as 32-bit ints, so that a packed bytea (pack-fingerprint.ts) holds it
 * without loss. Int32Arrays, not arrays: the assigner keeps thousands of fingerprints in memory (its prepared memo),
 * and a JS array of small ints takes 8 bytes an element on 64-bit Node, an Int32Array 4, outside the collected heap.
 */
export interface Fingerprint {
  /** Hash of each normalized word, title first, in text order. */
  words: Int32Array;
  /** How many of `words` are the title's. */
  titleWords: number;
  /** Exclusive end index (into `words`) of each sentence of the body, in order. */
  sentenceEnds: Int32Array;
  /** Hash of each word's light stem, parallel to `words`: tells spelling and clitic variants from swaps. */
  stems: Int32Array;
  /** Sorted unique hashes of the words that carry a figure or an order (digits, "الثالثه"). */
  numbers: Int32Array;
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
  return hashRange(word, 0, word.length);
}

/** hashWord of text[from, to), without cutting the string. */
function hashRange(text: string, from: number, to: number): number {
  let h = WORD_SEED;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h ^ (to - from));
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


// isNumberWord as one hash lookup per word: every number word with every clitic it takes.
const NUMBER_WORD_HASHES = new Set([...NUMBER_WORDS].flatMap((w) => NUMBER_WORD_CLITICS.map((c) => hashWord(c + w))));

/**
 * The cardinals one to ten written out, each with the figure it spells: «تسع فرق» and «9 فرق» are one figure to the
 * template check, which otherwise takes an outlet that writes the figure in digits for the next edition of a template.
 * Ordinals stay apart («الثالثه» is rarely written «3»), and so do compounds («خمسه عشر» is 15, not 5 and 10).
 */
const CARDINALS: [number, string[]][] = [
  [1, ['واحد']], [2, ['اثنان', 'اثنين']], [3, ['ثلاث', 'ثلاثه']], [4, ['اربع', 'اربعه']], [5, ['خمس', 'خمسه']],
  [6, ['ست', 'سته']], [7, ['سبع', 'سبعه']], [8, ['ثماني', 'ثمانيه']], [9, ['تسع', 'تسعه']], [10, ['عشر', 'عشره']],
];
const CARDINAL_FIGURES = new Map(CARDINALS.flatMap(([n, words]) => words.flatMap((w) => NUMBER_WORD_CLITICS.map((c) => [hashWord(c + w), hashWord(String(n))] as [number, number]))));

/** The hash of the figure a written-out cardinal spells («تسعه» → «9»); any other word's own hash. */
export function figureHash(h: number): number {
  return CARDINAL_FIGURES.get(h) ?? h;
}

/** Clitics a name takes: «ومصر», «بمصر», «لمصر»; «للكويت» is ل with the article's alef dropped. */
const NAME_CLITICS = ['', 'و', 'ب', 'ل', 'ف', 'وب', 'ول'];
const PLACE_HASHES = new Map<number, number>(
  COUNTRY_NAMES.flatMap((spellings) => {
    const forms = spellings.map((name) => normalizeText(name));
    const canonical = hashWord(forms[0]);
    return forms.flatMap((form) => [
      ...NAME_CLITICS.map((c) => [hashWord(c + form), canonical] as [number, number]),
      ...(form.startsWith('ال') ? ['لل', 'ولل'].map((c) => [hashWord(c + form.slice(2)), canonical] as [number, number]) : []),
    ]);
  }),
);

/** The country a word names (one hash for all its spellings and clitics), or undefined. */
export function placeHash(h: number): number | undefined {
  return PLACE_HASHES.get(h);
}

/** Whether a hash of `Fingerprint.numbers` is a number word («ثلاث», «السابع»), not a figure written in digits. */
export function isNumberWordHash(h: number): boolean {
  return NUMBER_WORD_HASHES.has(h);
}

// Scans the normalized text in place (no per-word strings): this runs on every word of every item.
function pushWords(norm: string, out: number[], stems: number[], numbers: number[]): void {
  let start = 0;
  const n = norm.length;
  while (start < n) {
    let end = norm.indexOf(' ', start);
    if (end < 0) end = n;
    if (end > start) {
      const h = hashRange(norm, start, end);
      const bounds = lightStemBounds(norm, start, end);
      const stem = bounds === 0 ? h : hashRange(norm, start + (bounds >> 3), end - (bounds & 7));
      out.push(h);
      stems.push(stem);
      // normalizeText splits figures from letters, so a figure word starts with a digit.
      const c = norm.charCodeAt(start);
      if ((c >= 48 && c <= 57) || NUMBER_WORD_HASHES.has(h)) numbers.push(h);
    }
    start = end + 1;
  }
}

/** `bodyLines`: the body, split and normalized, boilerplate already removed. */
export function fingerprint(title: string, bodyLines: NormalizedLine[]): Fingerprint {
  const words: number[] = [];
  const numbers: number[] = [];
  const stems: number[] = [];
  pushWords(normalizeText(title), words, stems, numbers);
  const titleWords = words.length;
  const sentenceEnds: number[] = [];
  for (const line of bodyLines) {
    for (const sentence of line.sentences) {
      const before = words.length;
      pushWords(sentence, words, stems, numbers);
      if (words.length > before) sentenceEnds.push(words.length);
    }
  }
  return { words: new Int32Array(words), titleWords, sentenceEnds: new Int32Array(sentenceEnds), stems: new Int32Array(stems), numbers: sortedUnique(numbers) };
}

/** Sorted distinct values, as a copy: the input is left as it is (fingerprints are Int32Arrays shared by reference). */
export function sortedUnique(values: ArrayLike<number>): Int32Array {
  const a = new Int32Array(values).sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[n - 1]) a[n++] = a[i];
  return a.subarray(0, n);
}

/** Word 3-gram hashes of words[from, to), sorted unique. Shorter spans give their words as 1 shingle. */
export function shingles(words: ArrayLike<number>, from = 0, to = words.length): Int32Array {
  const n = to - from;
  if (n <= 0) return new Int32Array(0);
  if (n < 3) return Int32Array.of(hashShingle(words[from], n > 1 ? words[from + 1] : 0, 0));
  const out = new Int32Array(n - 2);
  for (let i = from; i < to - 2; i++) out[i - from] = hashShingle(words[i], words[i + 1], words[i + 2]);
  return sortedUnique(out);
}

/** Size of the intersection of two sorted unique int arrays. */
export function intersectSize(a: ArrayLike<number>, b: ArrayLike<number>): number {
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

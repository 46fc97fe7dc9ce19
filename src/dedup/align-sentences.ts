import { figureHash, placeHash, sortedUnique, type Fingerprint } from './fingerprint.js';
import { hasSorted } from './has-sorted.js';

/**
 * Sentence-level view of a pair: which sentences of the shorter text reappear in the longer, and which
 * reappear with their specific words swapped. Template news (weather for another day, "the King received
 * X", relief flight N vs N+1, one programme's branches) shares most sentences word for word; what differs
 * are the names, numbers and places inside aligned sentences. An edited republication drops and adds words,
 * but rarely swaps one name or figure for another.
 */
export interface SentenceAlignment {
  /** Body sentences of the shorter text long enough to judge (≥ minWords). */
  judged: number;
  /** Of those, how many share at least `alignShare` of their distinct word stems with one sentence of the longer. */
  aligned: number;
  /** Aligned sentences whose specific words (figures, rare names) differ on both sides. */
  variants: number;
  /** The shorter text's first judged sentence is an aligned variant: the news itself was swapped. */
  leadVariant: boolean;
  /** Words in judged sentences, and in aligned ones: how much of the shorter text has a counterpart. */
  judgedWords: number;
  alignedWords: number;
}

export interface AlignOptions {
  minWords?: number;
  alignShare?: number;
}

export function sentenceSpans(fp: Fingerprint): [number, number][] {
  const spans: [number, number][] = [];
  let start = fp.titleWords;
  for (const end of fp.sentenceEnds) {
    spans.push([start, end]);
    start = end;
  }
  return spans;
}

/** Which sentences (by index in sentenceSpans) of `fp` hold each word stem: the index a counterpart search reads. */
export function sentencesByStem(fp: Fingerprint, spans = sentenceSpans(fp)): Map<number, number[]> {
  const byStem = new Map<number, number[]>();
  spans.forEach(([from, to], i) => {
    for (let k = from; k < to; k++) {
      const list = byStem.get(fp.stems[k]);
      if (!list) byStem.set(fp.stems[k], [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  return byStem;
}

/** The other text's sentence sharing most of `own` (distinct stems), and how many it shares; -1 and 0 when none. */
export function bestCounterpart(own: Set<number>, byStem: Map<number, number[]>): { sentence: number; shared: number } {
  const counts = new Map<number, number>();
  for (const h of own) for (const i of byStem.get(h) ?? []) counts.set(i, (counts.get(i) ?? 0) + 1);
  // Ties go to the sentence counted first.
  let sentence = -1;
  let shared = 0;
  for (const [i, n] of counts) if (n > shared) [sentence, shared] = [i, n];
  return { sentence, shared };
}

/** `isSpecific(word, fp)`: the words a template fills in (figures, ordinals). */
export function alignSentences(a: Fingerprint, b: Fingerprint, isSpecific: (word: number, fp: Fingerprint) => boolean, options: AlignOptions = {}): SentenceAlignment {
  const minWords = options.minWords ?? 6;
  const alignShare = options.alignShare ?? 0.5;
  const [short, long] = a.words.length - a.titleWords <= b.words.length - b.titleWords ? [a, b] : [b, a];
  const longSpans = sentenceSpans(long);
  // Aligned on shared word stems, not 3-grams: a template swaps a word every few words, which breaks
  // most 3-grams of exactly the sentences that matter.
  const longByStem = sentencesByStem(long, longSpans);
  const shortWords = withFigures(short);
  const longWords = withFigures(long);
  const missingFrom = (fp: Fingerprint, k: number, other: Set<number>) =>
    !other.has(fp.words[k]) && !other.has(fp.stems[k]) && !other.has(canonicalSpecific(fp.words[k])) && isSpecific(fp.words[k], fp);

  let judged = 0;
  let aligned = 0;
  let variants = 0;
  let leadVariant = false;
  let judgedWords = 0;
  let alignedWords = 0;
  for (const [from, to] of sentenceSpans(short)) {
    if (to - from < minWords) continue;
    judged++;
    judgedWords += to - from;
    const own = new Set(short.stems.slice(from, to));
    const { sentence: best, shared: bestCount } = bestCounterpart(own, longByStem);
    if (best < 0 || bestCount < alignShare * own.size) continue;
    aligned++;
    alignedWords += to - from;
    // Words missing from the whole other text, not just the aligned sentence: a sentence split differently
    // by punctuation or moved elsewhere is not a swap.
    let shortSide = false;
    for (let k = from; k < to && !shortSide; k++) shortSide = missingFrom(short, k, longWords);
    if (!shortSide) continue;
    const [lf, lt] = longSpans[best];
    let longSide = false;
    for (let k = lf; k < lt && !longSide; k++) longSide = missingFrom(long, k, shortWords);
    if (longSide) {
      variants++;
      if (judged === 1) leadVariant = true;
    }
  }
  return { judged, aligned, variants, leadVariant, judgedWords, alignedWords };
}

/**
 * Figures and ordinals only. Rare words (names, places) were tried too, but edited republications are full
 * of rare spelling variants, glued words and transliterations, so on names the signal drowned in noise.
 */
export function isFigure(word: number, fp: Fingerprint): boolean {
  return hasSorted(fp.numbers, word);
}

/** One hash for the spellings of a specific word: a country's (placeHash), a written-out cardinal's figure, else its own. */
function canonicalSpecific(h: number): number {
  return placeHash(h) ?? figureHash(h);
}

/**
 * A text's words and stems, and the canonical form of each specific word among them: a figure one side writes in
 * digits and the other in words («9 فرق», «تسع فرق»), or a country spelled two ways («سوريا», «سورية»), is no swap.
 */
function withFigures(fp: Fingerprint): Set<number> {
  const set = new Set<number>();
  for (const w of fp.words) {
    set.add(w);
    const place = placeHash(w);
    if (place !== undefined) set.add(place);
  }
  for (const w of fp.stems) set.add(w);
  for (const n of fp.numbers) set.add(figureHash(n));
  return set;
}

/**
 * What a template fills in, for the template check: figures and ordinals (isFigure) and country names. A copy never
 * swaps the country («يهنئ رئيس تونس» against «… رئيس مصر» is the same cable sent to another country).
 */
export function isTemplateSpecific(word: number, fp: Fingerprint): boolean {
  return isFigure(word, fp) || placeHash(word) !== undefined;
}

/**
 * What the template check compares as a text's specific words: its figures and ordinals (Fingerprint.numbers, as
 * written: a cardinal spelled out is not counted as its figure here, since «ثلاثه اسابيع» beside «3» is phrasing two
 * editions of a template share as easily as two copies; measured: counting it merged the next edition of a programme
 * announcement) and the countries its body names, each country once whatever its spelling (two cables with no figure
 * at all still differ in the country they name). Sorted and distinct.
 */
export function templateSpecifics(fp: Fingerprint): Int32Array {
  const places: number[] = [];
  for (let k = fp.titleWords; k < fp.words.length; k++) {
    const place = placeHash(fp.words[k]);
    if (place !== undefined) places.push(place);
  }
  return places.length === 0 ? fp.numbers : sortedUnique([...fp.numbers, ...places]);
}

/** How many of the specific words (templateSpecifics) of the side with fewer the other side has, and that count. */
export function specificOverlap(a: Int32Array, b: Int32Array): { fewer: number; shared: number } {
  const [fewer, more] = a.length <= b.length ? [a, b] : [b, a];
  let shared = 0;
  for (const n of fewer) if (hasSorted(more, n)) shared++;
  return { fewer: fewer.length, shared };
}

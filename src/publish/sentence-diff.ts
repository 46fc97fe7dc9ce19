import { lightStem } from '../arabic/light-stem.js';
import { normalizeText } from '../arabic/normalize-text.js';
import { splitSentences } from '../arabic/split-lines.js';

/**
 * What one outlet's copy adds to and cuts from another, sentence by sentence, for readers (the story page). The rule
 * is dedup's (src/dedup/align-sentences.ts): a sentence has a counterpart when at least `share` of its distinct word
 * stems appear in one sentence of the other text. Stems, not exact words or 3-grams: republications re-spell, add
 * clitics and reorder clauses, and none of that is news a reader needs pointed out.
 */

export interface Sentence {
  /** As written (trimmed), with its closing punctuation: what the page shows. */
  text: string;
  /** Index of its paragraph (non-empty line) in the text. */
  paragraph: number;
  /** Distinct light stems of its normalized words. */
  stems: ReadonlySet<string>;
}

export interface PreparedText {
  sentences: Sentence[];
  /** Stem → indexes of the sentences holding it, ascending, each once. */
  sentencesByStem: ReadonlyMap<string, readonly number[]>;
}

/** Consecutive sentences of one paragraph: shown as one block. */
export interface SentenceRun {
  paragraph: number;
  sentences: string[];
}

export interface CopyDiff {
  /** Sentences of the copy with no counterpart in the base, in the copy's order. */
  added: SentenceRun[];
  /** Sentences of the base with no counterpart in the copy, in the base's order. */
  dropped: SentenceRun[];
  /** Sentences of the copy that have a counterpart in the base, and all of the copy's sentences. */
  shared: number;
  sentences: number;
}

export interface DiffOptions {
  /** Share of a sentence's distinct stems that one sentence of the other text must hold. Default 0.5, dedup's. */
  share?: number;
}

/**
 * The line cut where split-lines.ts cuts it, with the marks kept on their sentence, each piece trimmed, blank pieces
 * left out.
 */
export function cutSentences(line: string): string[] {
  return splitSentences(line, true)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Sentences of a plain text (one paragraph per line), each normalized and stemmed once. */
export function prepareText(text: string): PreparedText {
  const sentences: Sentence[] = [];
  const sentencesByStem = new Map<string, number[]>();
  let paragraph = 0;
  for (const line of text.split(/\r?\n|\r/)) {
    if (line.trim() === '') continue;
    for (const part of cutSentences(line)) {
      const normalized = normalizeText(part);
      // Punctuation, symbols or invisible characters only: nothing a reader would call a sentence.
      if (normalized === '') continue;
      const stems = new Set(normalized.split(' ').map(lightStem));
      const index = sentences.length;
      sentences.push({ text: part, paragraph, stems });
      for (const stem of stems) {
        const list = sentencesByStem.get(stem);
        if (list) list.push(index);
        else sentencesByStem.set(stem, [index]);
      }
    }
    paragraph++;
  }
  return { sentences, sentencesByStem };
}

/** Whether one sentence of `other` holds at least `share` of the sentence's distinct stems. */
function hasCounterpart(sentence: Sentence, other: PreparedText, share: number): boolean {
  const needed = share * sentence.stems.size;
  const counts = new Map<number, number>();
  for (const stem of sentence.stems) {
    for (const i of other.sentencesByStem.get(stem) ?? []) {
      const n = (counts.get(i) ?? 0) + 1;
      if (n >= needed) return true;
      counts.set(i, n);
    }
  }
  return false;
}

function runsOf(sentences: readonly Sentence[], keep: (s: Sentence, i: number) => boolean): SentenceRun[] {
  const runs: SentenceRun[] = [];
  let last = -2;
  sentences.forEach((s, i) => {
    if (!keep(s, i)) return;
    const run = runs[runs.length - 1];
    if (run && last === i - 1 && run.paragraph === s.paragraph) run.sentences.push(s.text);
    else runs.push({ paragraph: s.paragraph, sentences: [s.text] });
    last = i;
  });
  return runs;
}

/** What `copy` adds to `base` and what of `base` it leaves out. */
export function diffCopy(base: PreparedText, copy: PreparedText, options: DiffOptions = {}): CopyDiff {
  const share = options.share ?? 0.5;
  const copyShared = copy.sentences.map((s) => hasCounterpart(s, base, share));
  const added = runsOf(copy.sentences, (_, i) => !copyShared[i]);
  const dropped = runsOf(base.sentences, (s) => !hasCounterpart(s, copy, share));
  const shared = copyShared.filter(Boolean).length;
  return { added, dropped, shared, sentences: copy.sentences.length };
}

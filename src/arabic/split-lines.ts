import { normalizeText } from './normalize-text.js';

/** One line of plain text, split into sentences and normalized once for every later step. */
export interface NormalizedLine {
  raw: string;
  /** Normalized sentences, none empty. */
  sentences: string[];
  /** The sentences joined: what boilerplate rules compare. */
  text: string;
}

const WHITESPACE = /\s/;

function isSentenceMark(c: number): boolean {
  return c === 0x2e || c === 0x21 || c === 0x3f || c === 0x061f; // . ! ? ؟
}

/**
 * The line cut at every run of sentence marks that whitespace or the end of the line follows: what
 * `line.split(/[.!?؟]+(?=\s|$)/u)` returned, the runs dropped, or kept on their sentence with `keepMarks` (a page shows
 * them; matching drops them). A scan, not that regex: on a long run of marks followed by a letter the regex retried the
 * whole run from each of its marks (quadratic; 100 kB of "!" took 40 s).
 */
export function splitSentences(line: string, keepMarks = false): string[] {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < line.length) {
    if (!isSentenceMark(line.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < line.length && isSentenceMark(line.charCodeAt(end))) end++;
    if (end === line.length || WHITESPACE.test(line[end]!)) {
      parts.push(line.slice(start, keepMarks ? end : i));
      start = end;
    }
    i = end;
  }
  parts.push(line.slice(start));
  return parts;
}

export function splitLines(text: string): NormalizedLine[] {
  const lines: NormalizedLine[] = [];
  for (const raw of text.split(/\r?\n|\r/)) {
    if (raw.trim() === '') continue;
    const sentences: string[] = [];
    // Normalization removes punctuation, so sentences are cut first.
    for (const part of splitSentences(raw)) {
      const norm = normalizeText(part);
      if (norm !== '') sentences.push(norm);
    }
    lines.push({ raw, sentences, text: sentences.join(' ') });
  }
  return lines;
}

import { normalizeText } from './normalize-text.js';

/** One line of plain text, split into sentences and normalized once for every later step. */
export interface NormalizedLine {
  raw: string;
  /** Normalized sentences, none empty. */
  sentences: string[];
  /** The sentences joined: what boilerplate rules compare. */
  text: string;
}

// Normalization removes punctuation, so sentences are cut first.
const SENTENCE_BREAK = /[.!?؟]+(?=\s|$)/u;

export function splitLines(text: string): NormalizedLine[] {
  const lines: NormalizedLine[] = [];
  for (const raw of text.split(/\r?\n|\r/)) {
    if (raw.trim() === '') continue;
    const sentences: string[] = [];
    for (const part of raw.split(SENTENCE_BREAK)) {
      const norm = normalizeText(part);
      if (norm !== '') sentences.push(norm);
    }
    lines.push({ raw, sentences, text: sentences.join(' ') });
  }
  return lines;
}

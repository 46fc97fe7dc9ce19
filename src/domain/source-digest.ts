import { createHash } from 'node:crypto';
import { splitLines } from '../arabic/split-lines.js';
import { isBuiltInBoilerplate, isVolatileLine } from '../arabic/strip-boilerplate.js';

/*
 * What an entry says, as a digest: the same entry fetched later with another digest is the outlet's correction
 * (findCorrections, and withFullText for full_text feeds). It covers what a subscriber reads, the headline and the
 * visible text, not the markup: feeds whose HTML changes on every fetch (cache-busting query strings on image and link
 * URLs, reordered attributes, other tags around the same words, whitespace) or that render a relative time or a view
 * counter anew each time made every fetch a correction: the story's updated time moved, the feeds were rebuilt and the
 * hub pinged for nothing.
 *
 * Versioned: a stored digest of another version was made another way, so it is recorded again, not compared
 * (compareSourceDigests). Bump SOURCE_DIGEST_VERSION with any change to what goes in.
 */

/** v1 (no prefix): sha256 of the title and the sanitized HTML. v2: headline and visible text, see sourceDigest. */
export const SOURCE_DIGEST_VERSION = 'v2';

// Invisible format characters that markup tools add or drop (bidi marks and embeddings, soft hyphen, word joiners);
// the joiners that shape Arabic and Persian letters (U+200C, U+200D) are visible and stay.
const INVISIBLE = /[\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const WHITESPACE = /[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+/g;

function visible(text: string): string {
  return text.normalize('NFC').replace(INVISIBLE, '').replace(WHITESPACE, ' ').trim();
}

/**
 * `v2:` + sha256 of the headline and the text's lines, each with Unicode NFC, invisible format characters removed and
 * whitespace folded, lines joined by one space (a paragraph split differently reads the same), without the lines that
 * are not the report: the built-in junk lines dedup strips too («اقرأ أيضا: <another headline>», «زر الذهاب إلى
 * الأعلى») and lines that change on every fetch (isVolatileLine). `contentText` is the item's plain text
 * (htmlToText of the sanitized HTML): tags, attributes and URLs are already gone from it.
 */
export function sourceDigest(title: string, contentText: string): string {
  const lines = splitLines(contentText)
    .filter((line) => !isBuiltInBoilerplate(line) && !isVolatileLine(line))
    .map((line) => visible(line.raw))
    .filter(Boolean);
  const hash = createHash('sha256').update(`${visible(title)}\n${lines.join(' ')}`).digest('hex');
  return `${SOURCE_DIGEST_VERSION}:${hash}`;
}

/** A digest's version: the prefix before ":", or v1 for the bare hex digests stored before versions. */
export function sourceDigestVersion(digest: string): string {
  const colon = digest.indexOf(':');
  return colon > 0 ? digest.slice(0, colon) : 'v1';
}

/**
 * A stored entry's digest against the one its feed now gives. `same`: nothing to do. `changed`: the outlet corrected
 * the entry. `record`: the stored digest is missing (stored before digests) or of another version (made another way,
 * so a difference says nothing): the new one is written over it, and the entry does not count as corrected.
 */
export function compareSourceDigests(stored: string | null, fresh: string | null | undefined): 'same' | 'changed' | 'record' {
  if (!fresh || stored === fresh) return 'same';
  if (stored === null || sourceDigestVersion(stored) !== sourceDigestVersion(fresh)) return 'record';
  return 'changed';
}

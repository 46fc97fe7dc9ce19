import { createHash } from 'node:crypto';
import { canonicalizeLink } from './canonicalize-link.js';
import { foldWhitespace, htmlToText } from './html-to-text.js';
import { sanitizeHtml } from './sanitize-html.js';
import type { Item } from '../domain/item.js';
import { sourceDigest } from '../domain/source-digest.js';
import { MAX_AUTHOR_CHARS, MAX_CONTENT_HTML_CHARS, MAX_CONTENT_TEXT_CHARS, MAX_TITLE_CHARS } from '../config/limits.js';
import type { ParsedEntry } from './types.js';

export interface NormalizeItemOptions {
  /** Length of a title derived from the text when the entry has none. Default 120 characters. */
  derivedTitleChars?: number;
}

/**
 * One parsed entry → one storable item, or null when the entry has no title, no content and no link.
 * `feed.url` should be the URL the feed was finally fetched from (after redirects): relative links resolve against it.
 */
export function normalizeItem(entry: ParsedEntry, feed: { id: string; url: string }, options: NormalizeItemOptions = {}): Item | null {
  const link = absoluteHttpUrl(entry.link, feed.url) ?? permalinkGuid(entry.guid);
  const rawHtml = (nonEmpty(entry.contentHtml) ?? nonEmpty(entry.summaryHtml) ?? '').slice(0, MAX_CONTENT_HTML_CHARS);
  const contentHtml = rawHtml ? sanitizeHtml(rawHtml, { baseUrl: link ?? feed.url }) : '';
  const contentText = contentHtml ? htmlToText(contentHtml).slice(0, MAX_CONTENT_TEXT_CHARS) : '';
  // Capped before any HTML-to-text work: a title or author is a line, not a document.
  const parsedTitle = entry.title ? htmlToText(entry.title.slice(0, MAX_TITLE_CHARS)).replace(/\n/g, ' ') : '';

  if (!parsedTitle && !contentText && !link) return null;

  const title = parsedTitle || deriveTitle(contentText, options.derivedTitleChars ?? 120) || link!;
  const canonicalLink = canonicalizeLink(link);
  const guid = nonEmpty(entry.guid)?.trim() ?? null;
  const entryKey = guid ?? canonicalLink ?? `sha256:${sha256(`${title}\n${contentText}`)}`;

  return {
    feedId: feed.id,
    entryKey,
    guid,
    link,
    canonicalLink,
    title,
    contentHtml,
    contentText,
    publishedAt: entry.publishedAt,
    author: entry.author ? foldWhitespace(htmlToText(entry.author.slice(0, MAX_AUTHOR_CHARS))) || null : null,
    // What a reader sees of the entry, not its markup: HTML that changes on every fetch is not a correction.
    sourceDigest: sourceDigest(title, contentText),
  };
}

function absoluteHttpUrl(value: string | null, base: string): string | null {
  if (!value?.trim()) return null;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Feeds without <link> often carry the article URL as the GUID; only an absolute http(s) GUID is trusted for that. */
function permalinkGuid(guid: string | null): string | null {
  const value = guid?.trim();
  if (!value || !/^https?:\/\//i.test(value)) return null;
  return absoluteHttpUrl(value, value);
}

/** The first line of the text, cut at a word boundary. */
function deriveTitle(text: string, maxChars: number): string {
  const firstLine = text.split('\n', 1)[0] ?? '';
  if (firstLine.length <= maxChars) return firstLine;
  const cut = firstLine.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxChars / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function nonEmpty(value: string | null): string | null {
  return value && value.trim() ? value : null;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

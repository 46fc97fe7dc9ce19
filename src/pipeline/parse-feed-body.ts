import type { Item } from '../domain/item.js';
import { storableItem } from '../domain/storable-text.js';
import { decodeBody } from './decode-body.js';
import type { ExtractedArticle } from './extract-article.js';
import { normalizeItem } from './normalize-item.js';
import { parseFeed } from './parse-feed.js';

/*
 * The CPU-heavy steps between fetched bytes and storable items, as plain data in and out so that they can run in a
 * parse worker (parse-pool.ts): decode → parse → normalize for a feed, decode → reader view for an article page.
 */

export interface FeedBodyInput {
  body: Uint8Array;
  contentType: string | null;
  /** The feed's id and the URL it was finally fetched from (relative links resolve against it). */
  feed: { id: string; url: string };
  /** At most this many entries of the document become items (the newest come first in feeds). */
  itemsPerFeed: number;
  /** Reference time (ms) for clamping future dates. */
  now: number;
}

export interface FeedBodyResult {
  charset: string;
  /** Entries in the document (before the itemsPerFeed cut and dropping empty ones). */
  entries: number;
  items: Item[];
}

export async function parseFeedBody(input: FeedBodyInput): Promise<FeedBodyResult> {
  const decoded = decodeBody(asBuffer(input.body), input.contentType);
  const parsed = await parseFeed(decoded.text, { now: new Date(input.now) });
  const items: Item[] = [];
  for (const entry of parsed.entries.slice(0, input.itemsPerFeed)) {
    const item = normalizeItem(entry, input.feed);
    // Storable from the start: the identity lookups before storing send these keys to the database too.
    if (item) items.push(storableItem(item));
  }
  return { charset: decoded.charset, entries: parsed.entries.length, items };
}

export interface ArticlePageInput {
  body: Uint8Array;
  contentType: string | null;
  /** The page's final URL: links and images resolve against it. */
  url: string;
}

/**
 * The reader view (linkedom and Readability, ~8 MB of a parse worker's memory at rest) is loaded on the first article page, so
 * a service none of whose feeds has `full_text: true` never holds it.
 */
export async function readArticlePage(input: ArticlePageInput): Promise<ExtractedArticle | null> {
  const { extractArticle } = await import('./extract-article.js');
  return extractArticle(decodeBody(asBuffer(input.body), input.contentType).text, input.url);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

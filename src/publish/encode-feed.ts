import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** One rendered feed in every form the server sends, built once per change and then only copied to sockets. */
export interface EncodedFeed {
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  /** Strong ETag of the identity bytes, quoted. Encoded forms get a suffix (see `etagFor`). */
  etag: string;
  /** HTTP date of the newest story's update; null for an empty feed. */
  lastModified: string | null;
  /** Same instant in ms, for If-Modified-Since comparisons without reparsing. */
  lastModifiedMs: number | null;
  contentType: string;
  /** The store version the feed was built from; the cache compares it to decide whether to rebuild. */
  versionKey: string;
}

export interface EncodeFeedInput {
  text: string;
  contentType: string;
  versionKey: string;
  /** The feed's updatedAt; never the build time. */
  updatedAt: Date | null;
}

export type ContentCoding = 'br' | 'gzip' | 'identity';

/**
 * Compression runs on libuv's thread pool, so a rebuild does not stall requests already being served. Brotli
 * quality 9 rather than 11: on Arabic feed text 11 is about 10x slower for a few percent fewer bytes.
 */
export async function encodeFeed(input: EncodeFeedInput): Promise<EncodedFeed> {
  const body = Buffer.from(input.text, 'utf8');
  const [gzipped, brotli] = await Promise.all([
    gzipAsync(body, { level: 9 }),
    brotliAsync(body, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 9,
        [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  ]);
  // The rendered text contains no build time, so hashing it gives the same ETag for the same data across rebuilds
  // and restarts; hashing once here replaces hashing on every request.
  const digest = createHash('sha256').update(body).digest('base64url').slice(0, 32);
  const updatedMs = input.updatedAt && !Number.isNaN(input.updatedAt.getTime()) ? input.updatedAt.getTime() : null;
  return {
    body,
    gzip: gzipped,
    br: brotli,
    etag: `"${digest}"`,
    lastModified: updatedMs === null ? null : new Date(updatedMs).toUTCString(),
    // HTTP dates have whole seconds; comparing at that precision keeps If-Modified-Since exact.
    lastModifiedMs: updatedMs === null ? null : Math.floor(updatedMs / 1000) * 1000,
    contentType: input.contentType,
    versionKey: input.versionKey,
  };
}

/**
 * Each content coding is its own representation (RFC 9110 8.8.3), so its ETag differs; `matchesEtag` accepts any of
 * them, which is what Apache's "-gzip" suffix forgot and why its 304s broke.
 */
export function etagFor(encoded: EncodedFeed, coding: ContentCoding): string {
  return coding === 'identity' ? encoded.etag : `${encoded.etag.slice(0, -1)}-${coding}"`;
}

export function bytesFor(encoded: EncodedFeed, coding: ContentCoding): Buffer {
  return coding === 'br' ? encoded.br : coding === 'gzip' ? encoded.gzip : encoded.body;
}

/** Weak comparison over an If-None-Match list (RFC 9110 13.1.2), ignoring our coding suffixes. */
export function matchesEtag(encoded: EncodedFeed, ifNoneMatch: string): boolean {
  const base = encoded.etag.slice(1, -1);
  for (const raw of ifNoneMatch.split(',')) {
    const tag = raw.trim();
    if (tag === '*') return true;
    const opaque = tag.replace(/^W\//, '').replace(/^"|"$/g, '');
    if (opaque === base || opaque === `${base}-gzip` || opaque === `${base}-br`) return true;
  }
  return false;
}

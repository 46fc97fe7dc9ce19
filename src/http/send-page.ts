import type { Context } from 'hono';
import { bytesFor, encodeFeed, etagFor, matchesEtag, type EncodedFeed } from '../publish/encode-feed.js';
import { pageContentSecurityPolicy } from '../publish/page-style.js';
import { acceptEncoding } from './accept-encoding.js';

export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/** A rendered page in the feeds' form (bytes, gzip, brotli, ETag), built once per change and served from memory. */
export function encodePage(html: string, versionKey: string, updatedAt: Date | null = null): Promise<EncodedFeed> {
  return encodeFeed({ text: html, contentType: HTML_CONTENT_TYPE, versionKey, updatedAt });
}

/**
 * The headers every HTML page carries beyond the app's secureHeaders (which sends Referrer-Policy: no-referrer and
 * the rest): the strict CSP (no script, khabar's own stylesheet and icon only).
 */
export function setPageHeaders(c: Context): void {
  c.header('Content-Security-Policy', pageContentSecurityPolicy);
  c.header('X-Content-Type-Options', 'nosniff');
}

/**
 * Sends prebuilt bytes in the coding the client takes, answering If-None-Match / If-Modified-Since with a 304 from
 * memory. `cacheControl` is the caller's (public max-age for shared pages, no-store for search results).
 */
export function sendEncoded(c: Context, encoded: EncodedFeed, cacheControl: string): Response {
  const coding = acceptEncoding(c.req.header('Accept-Encoding'));
  c.header('Cache-Control', cacheControl);
  c.header('Vary', 'Accept-Encoding');
  c.header('ETag', etagFor(encoded, coding));
  if (encoded.lastModified !== null) c.header('Last-Modified', encoded.lastModified);
  if (encoded.contentType.startsWith('text/html')) setPageHeaders(c);
  if (notModified(c, encoded)) return c.body(null, 304);
  const bytes = bytesFor(encoded, coding);
  c.header('Content-Type', encoded.contentType);
  if (coding !== 'identity') c.header('Content-Encoding', coding);
  c.header('Content-Length', String(bytes.length));
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200);
}

/** RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since only without it. */
function notModified(c: Context, encoded: EncodedFeed): boolean {
  const ifNoneMatch = c.req.header('If-None-Match');
  if (ifNoneMatch !== undefined) return matchesEtag(encoded, ifNoneMatch);
  const ifModifiedSince = c.req.header('If-Modified-Since');
  if (ifModifiedSince === undefined || encoded.lastModifiedMs === null) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && encoded.lastModifiedMs <= since;
}

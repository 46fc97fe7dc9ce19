import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { bytesFor, etagFor, matchesEtag, type EncodedFeed } from '../../publish/encode-feed.js';
import { acceptEncoding } from '../accept-encoding.js';
import type { FeedCache } from '../feed-cache.js';
import { feedFormats, type FeedFormat } from '../feed-formats.js';
import { parseCategory, parseLimit } from '../parse-limit.js';

export interface FeedRoutesOptions {
  cache: FeedCache;
  cacheSeconds: number;
  defaultLimit: number;
  /** Categories that have feeds; any other is a 404. null: any category is served. */
  categories: ReadonlySet<string> | null;
}

/** Web-based readers fetch feeds cross-origin; the feeds are public, so any origin may read them. */
const feedCors = cors({
  origin: '*',
  allowMethods: ['GET', 'HEAD'],
  allowHeaders: ['If-None-Match', 'If-Modified-Since'],
  exposeHeaders: ['ETag', 'Last-Modified'],
  maxAge: 86400,
});

/** `/feed.xml`, `/feed.atom`, `/feed.json`: prebuilt bytes, chosen coding, conditional requests answered from memory. */
export function feedRoutes(options: FeedRoutesOptions): Hono {
  const app = new Hono();
  const cacheControl = `public, max-age=${options.cacheSeconds}`;

  for (const format of Object.keys(feedFormats) as FeedFormat[]) {
    // If-None-Match is not a CORS-safelisted header, so a browser reader's conditional fetch is preflighted.
    app.options(feedFormats[format].path, feedCors);
    app.get(feedFormats[format].path, feedCors, async function serveFeed(c) {
      const limit = parseLimit(c.req.query('limit'), options.defaultLimit);
      if (!limit.ok) {
        c.header('Cache-Control', 'no-store');
        return c.json({ error: { code: 'BAD_REQUEST', message: limit.message } }, 400);
      }
      const category = parseCategory(c.req.query('category'));
      if (!category.ok) {
        c.header('Cache-Control', 'no-store');
        return c.json({ error: { code: 'BAD_REQUEST', message: category.message } }, 400);
      }
      if (category.value !== null && options.categories !== null && !options.categories.has(category.value)) {
        c.header('Cache-Control', 'no-store');
        return c.json({ error: { code: 'NOT_FOUND', message: 'no feed has this category' } }, 404);
      }
      const encoded = await options.cache.get(format, { limit: limit.value, category: category.value });
      const coding = acceptEncoding(c.req.header('Accept-Encoding'));
      c.header('Cache-Control', cacheControl);
      c.header('Vary', 'Accept-Encoding');
      c.header('ETag', etagFor(encoded, coding));
      if (encoded.lastModified !== null) c.header('Last-Modified', encoded.lastModified);
      if (notModified(c, encoded)) return c.body(null, 304);
      const bytes = bytesFor(encoded, coding);
      c.header('Content-Type', encoded.contentType);
      if (coding !== 'identity') c.header('Content-Encoding', coding);
      c.header('Content-Length', String(bytes.length));
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200);
    });
  }
  return app;
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

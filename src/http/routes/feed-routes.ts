import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import type { Logger } from '../../logger.js';
import { bytesFor, etagFor, matchesEtag, type ContentCoding, type EncodedFeed } from '../../publish/encode-feed.js';
import { acceptEncoding } from '../accept-encoding.js';
import type { FeedCache } from '../feed-cache.js';
import { feedFormats, type FeedFormat } from '../feed-formats.js';
import type { FeedQuery } from '../feed-store.js';
import { errorReplyFor, logRequestFailure } from '../on-error.js';
import { parseCategory, parseLimit } from '../parse-limit.js';
import type { HttpMetrics } from '../../metrics/create-metrics.js';
import { timedHandler } from '../../metrics/time-requests.js';

export interface FeedRoutesOptions {
  cache: FeedCache;
  cacheSeconds: number;
  defaultLimit: number;
  /** Categories that have feeds; any other is a 404. null: any category is served. */
  categories: ReadonlySet<string> | null;
  /** The security headers of every feed response: a feed document's set (feedDocumentHeaders in secure-header-values.ts). */
  securityHeaders: Promise<Readonly<Record<string, string>>>;
  logger: Logger;
  /** Counts and times each answer under its route (src/metrics): one histogram observe, the answer stays synchronous. */
  metrics?: HttpMetrics;
}

type HeaderRecord = Record<string, string>;

/** Web-based readers fetch feeds cross-origin; the feeds are public, so any origin may read them. */
const feedCorsOptions = {
  origin: '*',
  allowMethods: ['GET', 'HEAD'],
  allowHeaders: ['If-None-Match', 'If-Modified-Since'],
  exposeHeaders: ['ETag', 'Last-Modified'],
  maxAge: 86400,
};

/** What hono/cors adds to a GET with these options (origin `*`: no `Vary: Origin`). */
const corsGetHeaders: HeaderRecord = {
  'access-control-allow-origin': feedCorsOptions.origin,
  'access-control-expose-headers': feedCorsOptions.exposeHeaders.join(','),
};

/** Hono's requestId rule: a client's X-Request-Id is kept when short and plain, else a new UUID. */
const REQUEST_ID_MAX = 255;
const REQUEST_ID_REFUSED = /[^\w\-=]/;

/** If-None-Match is not a CORS-safelisted header, so a browser reader's conditional fetch is preflighted. */
export function feedPreflightRoutes(): Hono {
  const app = new Hono();
  const feedCors = cors(feedCorsOptions);
  for (const format of Object.keys(feedFormats) as FeedFormat[]) app.options(feedFormats[format].path, feedCors);
  return app;
}

interface Variant {
  bytes: Buffer;
  /** Every header of the 200, the request id aside. */
  ok: HeaderRecord;
  /** Every header of the 304: the validators and caching headers without the body's. */
  notModified: HeaderRecord;
}

/** One built feed as it goes out: each coding's bytes and headers, made once per rebuild. */
interface PreparedFeed {
  variants: Record<ContentCoding, Variant>;
  /** If-None-Match values that match exactly; anything else goes through the full list comparison. */
  matching: ReadonlySet<string>;
}

/**
 * `GET /feed.xml`, `/feed.atom`, `/feed.json` (HEAD too): prebuilt bytes in the chosen coding, conditional requests
 * answered from memory. Each route is one handler and nothing else runs for it: the headers of every response,
 * security and CORS headers included, are built once per rebuilt feed, and while the feed is fresh the request is
 * answered synchronously, which node-server writes out without further promises. Mount it where no middleware
 * applies (create-app.ts); the preflight (`OPTIONS`) is `feedPreflightRoutes`.
 */
export interface FeedRoutes {
  /** The routes as Hono serves them (app.request in tests, and any request the Node path passes on). */
  app: Hono;
  /**
   * The same answers straight on Node's request and response, for `khabar serve`'s listener (create-app.ts): a GET or
   * HEAD of a feed that is built and fresh is written out here, with the very header records the Hono route sends,
   * and true is returned; anything else (another path, a query that is an error, a feed being built or checked)
   * returns false untouched, for Hono. It saves the Request and Response objects, routing and the adapter's promise
   * per request — about a third of the server's CPU per request on the compressed feeds (bench:serve).
   */
  serveNode(req: IncomingMessage, res: ServerResponse): boolean;
}

export function feedRoutes(options: FeedRoutesOptions): FeedRoutes {
  const app = new Hono();
  const byPath = new Map<string, FeedFormat>((Object.keys(feedFormats) as FeedFormat[]).map((f) => [feedFormats[f].path, f]));
  const cacheControl = `public, max-age=${options.cacheSeconds}`;
  const defaultQuery: FeedQuery = { limit: options.defaultLimit, category: null };
  const prepared = new WeakMap<EncodedFeed, PreparedFeed>();
  const codings = new Map<string, ContentCoding>();
  let security: Readonly<HeaderRecord> | null = null;
  const securityReady = options.securityHeaders.then((headers) => {
    security = headers;
    return headers;
  });

  function prepare(encoded: EncodedFeed, securityHeaders: Readonly<HeaderRecord>): PreparedFeed {
    const variant = (coding: ContentCoding): Variant => {
      const bytes = bytesFor(encoded, coding);
      const validators: HeaderRecord = { 'cache-control': cacheControl, vary: 'Accept-Encoding', etag: etagFor(encoded, coding) };
      if (encoded.lastModified !== null) validators['last-modified'] = encoded.lastModified;
      const body: HeaderRecord = { 'content-type': encoded.contentType, 'content-length': String(bytes.length) };
      if (coding !== 'identity') body['content-encoding'] = coding;
      // Security headers last: the middleware sets them over whatever a route set.
      return { bytes, ok: { ...validators, ...body, ...corsGetHeaders, ...securityHeaders }, notModified: { ...validators, ...corsGetHeaders, ...securityHeaders } };
    };
    const opaque = encoded.etag.slice(1, -1);
    const tags = [opaque, `${opaque}-gzip`, `${opaque}-br`].flatMap((tag) => [`"${tag}"`, `W/"${tag}"`]);
    return { variants: { identity: variant('identity'), gzip: variant('gzip'), br: variant('br') }, matching: new Set([...tags, '*']) };
  }

  /** Readers send a handful of distinct Accept-Encoding values; each is parsed once (the map is bounded all the same). */
  function codingFor(header: string | undefined): ContentCoding {
    if (header === undefined) return 'identity';
    let coding = codings.get(header);
    if (coding === undefined) {
      coding = acceptEncoding(header);
      if (codings.size >= 64) codings.clear();
      codings.set(header, coding);
    }
    return coding;
  }

  /** `requestId`: the client's, echoed; null when it sent none (a 200 or 304 logs nothing, so no id is made for it). */
  /** The 200 or 304 for `encoded`, as status, header record and body. */
  function answer(encoded: EncodedFeed, securityHeaders: Readonly<HeaderRecord>, requestId: string | null, header: HeaderOf): Answer {
    let feed = prepared.get(encoded);
    if (feed === undefined) {
      feed = prepare(encoded, securityHeaders);
      prepared.set(encoded, feed);
    }
    const variant = feed.variants[codingFor(header('accept-encoding'))];
    // Without an id to echo, the prebuilt record itself goes out (node-server, like Node, writes a plain record as it
    // is and never adds to one that has Content-Length): no copy, nothing for the collector.
    if (notModified(header, encoded, feed.matching)) return { status: 304, headers: requestId === null ? variant.notModified : withRequestId(variant.notModified, requestId), body: null };
    return { status: 200, headers: requestId === null ? variant.ok : withRequestId(variant.ok, requestId), body: variant.bytes };
  }

  /** `requestId`: the client's, echoed; null when it sent none (a 200 or 304 logs nothing, so no id is made for it). */
  function send(c: Context, encoded: EncodedFeed, securityHeaders: Readonly<HeaderRecord>, requestId: string | null): Response {
    const a = answer(encoded, securityHeaders, requestId, (name) => requestHeader(c, name));
    return new Response(a.body as Uint8Array<ArrayBuffer> | null, { status: a.status, headers: a.headers });
  }

  function json(status: number, body: unknown, headers: HeaderRecord, securityHeaders: Readonly<HeaderRecord>, requestId: string | null): Response {
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers, ...corsGetHeaders, ...securityHeaders, 'x-request-id': requestId ?? randomUUID() },
    });
  }

  function failed(c: Context, err: unknown, securityHeaders: Readonly<HeaderRecord>, given: string | null): Response {
    const reply = errorReplyFor(err);
    // A failure is logged, so its answer carries the id the log line has.
    const requestId = given ?? randomUUID();
    logRequestFailure(options.logger, { request_id: requestId, method: c.req.method, path: c.req.path }, err, reply);
    const headers: HeaderRecord = { 'cache-control': 'no-store' };
    if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
    return json(reply.status, { error: { code: reply.code, message: reply.message } }, headers, securityHeaders, requestId);
  }

  /** The query, or the 400/404 that answers it. */
  function queryOf(c: Context): FeedQuery | QueryError {
    return requestTarget(c).includes('?') ? queryFrom((name) => c.req.query(name)) : defaultQuery;
  }

  function queryFrom(param: (name: string) => string | undefined): FeedQuery | QueryError {
    const limit = parseLimit(param('limit'), options.defaultLimit);
    if (!limit.ok) return { status: 400, code: 'BAD_REQUEST', message: limit.message };
    const category = parseCategory(param('category'));
    if (!category.ok) return { status: 400, code: 'BAD_REQUEST', message: category.message };
    if (category.value !== null && options.categories !== null && !options.categories.has(category.value)) {
      return { status: 404, code: 'NOT_FOUND', message: 'no feed has this category' };
    }
    return { limit: limit.value, category: category.value };
  }

  async function serveLater(c: Context, format: FeedFormat, requestId: string | null): Promise<Response> {
    const securityHeaders = security ?? (await securityReady);
    try {
      const query = queryOf(c);
      if ('status' in query) return json(query.status, { error: { code: query.code, message: query.message } }, { 'cache-control': 'no-store' }, securityHeaders, requestId);
      return send(c, await options.cache.get(format, query), securityHeaders, requestId);
    } catch (err) {
      return failed(c, err, securityHeaders, requestId);
    }
  }

  for (const format of Object.keys(feedFormats) as FeedFormat[]) {
    const path = feedFormats[format].path;
    const timed = (handler: (c: Context) => Response | Promise<Response>) => (options.metrics ? timedHandler(path, handler, options.metrics) : handler);
    app.get(path, timed(function serveFeed(c) {
      const requestId = requestIdOf(c);
      const securityHeaders = security;
      if (securityHeaders === null) return serveLater(c, format, requestId);
      try {
        const query = queryOf(c);
        const encoded = 'status' in query ? undefined : options.cache.peek(format, query);
        return encoded === undefined ? serveLater(c, format, requestId) : send(c, encoded, securityHeaders, requestId);
      } catch (err) {
        return failed(c, err, securityHeaders, requestId);
      }
    }));
  }

  function serveNode(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const format = byPath.get(q < 0 ? target : target.slice(0, q));
    const securityHeaders = security;
    if (format === undefined || securityHeaders === null) return false;
    const started = performance.now();
    let query: FeedQuery | QueryError = defaultQuery;
    if (q >= 0) {
      const params = new URLSearchParams(target.slice(q + 1));
      query = queryFrom((name) => params.get(name) ?? undefined);
      if ('status' in query) return false;
    }
    const encoded = options.cache.peek(format, query);
    if (encoded === undefined) return false;
    const header: HeaderOf = (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const a = answer(encoded, securityHeaders, requestIdFrom(header('x-request-id')), header);
    res.writeHead(a.status, a.headers);
    if (a.body === null) res.end();
    else res.end(a.body);
    options.metrics?.request(feedFormats[format].path, a.status, started);
    return true;
  }

  return { app, serveNode };
}

type HeaderOf = (name: string) => string | undefined;
type QueryError = { status: 400 | 404; code: string; message: string };

interface Answer {
  status: 200 | 304;
  headers: HeaderRecord;
  body: Buffer | null;
}

/** A request header; under node-server read from Node's parsed headers, which skips building a fetch Headers object. */
function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (incoming === undefined) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The response's own copy of a prebuilt record. Not `{ ...headers }`: on Node 20 objects made by spreading survive
 * young-generation collections (measured: 10-20x the surviving bytes per scavenge under load, and the promotions
 * behind periodic old-generation pauses), while Object.assign copies die young.
 */
function withRequestId(headers: Readonly<HeaderRecord>, requestId: string): HeaderRecord {
  const copy: HeaderRecord = Object.assign({}, headers);
  copy['x-request-id'] = requestId;
  return copy;
}

/** The path and query as sent; under node-server Node's own string (no HonoRequest made for it). */
function requestTarget(c: Context): string {
  return (c.env as Partial<HttpBindings> | undefined)?.incoming?.url ?? c.req.url;
}

/** The client's X-Request-Id when short and plain (Hono's requestId rule), else null: one is made only for an answer that is logged. */
function requestIdOf(c: Context): string | null {
  return requestIdFrom(requestHeader(c, 'x-request-id'));
}

function requestIdFrom(given: string | undefined): string | null {
  return given && given.length <= REQUEST_ID_MAX && !REQUEST_ID_REFUSED.test(given) ? given : null;
}

/** RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since only without it. */
function notModified(header: HeaderOf, encoded: EncodedFeed, matching: ReadonlySet<string>): boolean {
  const ifNoneMatch = header('if-none-match');
  if (ifNoneMatch !== undefined) return matching.has(ifNoneMatch) || matchesEtag(encoded, ifNoneMatch);
  const ifModifiedSince = header('if-modified-since');
  if (ifModifiedSince === undefined || encoded.lastModifiedMs === null) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && encoded.lastModifiedMs <= since;
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/create-app.js';
import type { FeedQuery, FeedStore } from '../../src/http/feed-store.js';
import { KhabarError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import type { MergedFeed } from '../../src/publish/types.js';
import { sampleFeed, sampleStories } from '../publish/sample-feed.js';

/**
 * The feed routes answer from header records built once per rebuilt feed, in front of the middleware that every other
 * route goes through. These tests hold them to a feed document's security headers, the request id rule and the CORS
 * headers on every status, in process (app.request) and on the Node listener `khabar serve` runs (the fast path that
 * answers fresh feeds on Node's response), which must give the very headers app.request gives.
 */

/** A store whose version check can be held open, to see what requests get while it runs. */
class GatedStore implements FeedStore {
  versionValue = 'v1';
  failure: Error | null = null;
  versionCalls = 0;
  loadCalls = 0;
  gate: Promise<void> | null = null;

  async version(): Promise<string> {
    this.versionCalls += 1;
    if (this.gate) await this.gate;
    if (this.failure) throw this.failure;
    return this.versionValue;
  }

  async load(_query: FeedQuery): Promise<MergedFeed> {
    this.loadCalls += 1;
    if (this.failure) throw this.failure;
    return sampleFeed(sampleStories());
  }
}

const config = { publicUrl: 'https://news.example.org/', feedTitle: 'خبر', cacheSeconds: 30, categories: ['سياسة'] };

function setup() {
  const store = new GatedStore();
  let now = 1_000_000;
  const app = createApp({ feedStore: store, logger: silentLogger(), config, clock: () => now });
  return { app, store, advance: (ms: number) => (now += ms) };
}

/** Headers as a plain record, without the ones that differ by design (per request, per connection). */
function headerRecord(headers: Headers | http.IncomingHttpHeaders): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers).map(([k, v]) => [k, String(v)] as const);
  return Object.fromEntries(entries.filter(([k]) => !['x-request-id', 'date', 'connection', 'keep-alive'].includes(k)));
}

const SECURITY = [
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

function securityOf(headers: Headers): Record<string, string | null> {
  return Object.fromEntries(SECURITY.map((name) => [name, headers.get(name)]));
}

describe('feed responses beside the middleware', () => {
  it("carry a feed document's security headers (not a page's) on 200, 304, 400, 404 and 503", async () => {
    const { app, store } = setup();
    const page = securityOf((await app.request('/healthz')).headers);
    expect(page['x-frame-options']).toBe('SAMEORIGIN');
    // nosniff, no script or subresource and an opaque origin if a browser renders it; HSTS and the resource policy as
    // on every route; none of the page-only headers.
    const expected = Object.fromEntries(SECURITY.map((name) => [name, ['cross-origin-resource-policy', 'strict-transport-security', 'x-content-type-options'].includes(name) ? page[name] : null]));
    expect(expected['strict-transport-security']).toBe('max-age=15552000');
    const ok = await app.request('/feed.xml');
    const etag = ok.headers.get('etag')!;
    const responses = [
      ok,
      await app.request('/feed.xml', { headers: { 'If-None-Match': etag } }),
      await app.request('/feed.json?limit=abc'),
      await app.request('/feed.atom?category=nope'),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 304, 400, 404]);
    const failing = setup();
    failing.store.failure = new KhabarError('DB_UNAVAILABLE', 'down');
    const unavailable = await failing.app.request('/feed.xml');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('30');
    expect(unavailable.headers.get('cache-control')).toBe('no-store');
    for (const res of [...responses, unavailable]) {
      expect(securityOf(res.headers), String(res.status)).toEqual(expected);
      expect(res.headers.get('content-security-policy'), String(res.status)).toBe("default-src 'none'; sandbox");
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-expose-headers')).toBe('ETag,Last-Modified');
    }
    // An answer that is logged (the errors) carries the id of its log line; a 200 or 304 logs nothing and gets none.
    for (const res of responses.slice(0, 2)) expect(res.headers.get('x-request-id'), String(res.status)).toBeNull();
    for (const res of [...responses.slice(2), unavailable]) expect(res.headers.get('x-request-id'), String(res.status)).toMatch(/^[0-9a-f-]{36}$/);
    for (const res of responses.slice(2)) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-type')).toBe('application/json');
    }
    expect(store.versionCalls).toBe(1);
  });

  it('keeps a plain X-Request-Id from the client and refuses anything else, as the middleware does', async () => {
    const { app } = setup();
    for (const path of ['/feed.xml', '/feed.json?limit=abc', '/healthz']) {
      expect((await app.request(path, { headers: { 'X-Request-Id': 'abc-123_x=' } })).headers.get('x-request-id'), path).toBe('abc-123_x=');
      expect((await app.request(path, { headers: { 'X-Request-Id': 'a b' } })).headers.get('x-request-id'), path).not.toBe('a b');
    }
    // What the client may not set is replaced where an id is made (a logged answer, every page) and dropped on a feed.
    expect((await app.request('/healthz', { headers: { 'X-Request-Id': 'x'.repeat(256) } })).headers.get('x-request-id')!.length).toBe(36);
    expect((await app.request('/feed.json?limit=abc', { headers: { 'X-Request-Id': 'x'.repeat(256) } })).headers.get('x-request-id')!.length).toBe(36);
    expect((await app.request('/feed.xml', { headers: { 'X-Request-Id': 'x'.repeat(256) } })).headers.get('x-request-id')).toBeNull();
    const first = (await app.request('/healthz')).headers.get('x-request-id');
    expect((await app.request('/healthz')).headers.get('x-request-id')).not.toBe(first);
  });

  it('gives the same headers whether the feed was just built or served from memory', async () => {
    const { app, advance } = setup();
    for (const encoding of [null, 'gzip', 'br']) {
      const headers: Record<string, string> = encoding ? { 'Accept-Encoding': encoding } : {};
      const built = headerRecord((await app.request('/feed.atom', { headers })).headers);
      const cached = headerRecord((await app.request('/feed.atom', { headers })).headers);
      expect(cached, String(encoding)).toEqual(built);
      advance(31_000);
      expect(headerRecord((await app.request('/feed.atom', { headers })).headers), String(encoding)).toEqual(built);
    }
  });

  it('answers If-None-Match lists, weak tags and * like the full comparison', async () => {
    const { app } = setup();
    const etag = (await app.request('/feed.xml')).headers.get('etag')!;
    const opaque = etag.slice(1, -1);
    // An unquoted tag is taken too: matchesEtag has always been lenient there.
    for (const value of [etag, `W/${etag}`, `"${opaque}-br"`, '*', `"other", ${etag}`, ` ${etag} `, opaque]) {
      expect((await app.request('/feed.xml', { headers: { 'If-None-Match': value } })).status, value).toBe(304);
    }
    for (const value of ['"other"', `"${opaque}-deflate"`, `"${opaque.slice(1)}"`]) {
      expect((await app.request('/feed.xml', { headers: { 'If-None-Match': value } })).status, value).toBe(200);
    }
  });

  it('serves the copy being checked to requests that arrive while the version check runs, and checks once', async () => {
    const { app, store, advance } = setup();
    const first = await app.request('/feed.xml');
    advance(31_000);
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const checking = app.request('/feed.xml');
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.versionCalls).toBe(2);
    // The check is still open: these do not wait for it.
    const during = await Promise.all(Array.from({ length: 5 }, () => app.request('/feed.xml')));
    expect(during.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(during.every((r) => r.headers.get('etag') === first.headers.get('etag'))).toBe(true);
    open();
    store.gate = null;
    expect((await checking).status).toBe(200);
    await app.request('/feed.xml');
    expect(store.versionCalls).toBe(2);
    expect(store.loadCalls).toBe(1);
  });

  it('leaves every other path to the site: preflight, HEAD of pages, 404s, methods the feeds do not take', async () => {
    const { app } = setup();
    const preflight = await app.request('/feed.xml', {
      method: 'OPTIONS',
      headers: { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-max-age')).toBe('86400');
    expect(preflight.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const head = await app.request('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await head.text()).toBe('');
    const post = await app.request('/feed.xml', { method: 'POST', body: 'x' });
    expect(post.status).toBe(404);
    expect(post.headers.get('x-content-type-options')).toBe('nosniff');
    expect(post.headers.get('x-request-id')).toBeTruthy();
  });
});

/** A raw GET (no automatic decompression), as a feed reader's socket sees it. */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe("feed responses on the Node listener `khabar serve` runs", () => {
  let server: http.Server;
  let port: number;
  let inProcess: ReturnType<typeof setup>;

  beforeAll(async () => {
    inProcess = setup();
    const served = setup();
    server = http.createServer(served.app.nodeListener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends each coding with the headers app.request gives, and bytes that decode to one document', async () => {
    const plain = await get(port, '/feed.xml');
    expect(plain.status).toBe(200);
    const document = plain.body.toString('utf8');
    for (const [encoding, decode] of [
      [null, (b: Buffer) => b],
      ['gzip', gunzipSync],
      ['br', brotliDecompressSync],
    ] as const) {
      const headers: Record<string, string> = encoding ? { 'Accept-Encoding': encoding } : {};
      const res = encoding ? await get(port, '/feed.xml', headers) : plain;
      expect(decode(res.body).toString('utf8')).toBe(document);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      // Twice in process: the first builds the feed, the second is served as the socket above was.
      await inProcess.app.request('/feed.xml', { headers });
      expect(headerRecord(res.headers), String(encoding)).toEqual(headerRecord((await inProcess.app.request('/feed.xml', { headers })).headers));
    }
  });

  it('answers 304 and HEAD without a body, with the validators', async () => {
    const first = await get(port, '/feed.xml', { 'Accept-Encoding': 'br' });
    const etag = String(first.headers.etag);
    const notModified = await get(port, '/feed.xml', { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(`${etag.slice(0, -4)}"`);
    expect(notModified.headers['cache-control']).toBe('public, max-age=30');
    expect(notModified.headers.vary).toBe('Accept-Encoding');
    expect(notModified.headers['x-content-type-options']).toBe('nosniff');
    expect(notModified.headers['content-type']).toBeUndefined();
    const since = await get(port, '/feed.xml', { 'If-Modified-Since': String(first.headers['last-modified']) });
    expect(since.status).toBe(304);
    const head = await get(port, '/feed.xml', { 'Accept-Encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(first.body.length));
    expect(head.headers['content-encoding']).toBe('br');
  });

  it('keeps the client request id and reads query strings and other routes as in process', async () => {
    expect((await get(port, '/feed.xml', { 'X-Request-Id': 'reader-7' })).headers['x-request-id']).toBe('reader-7');
    expect((await get(port, '/feed.json?limit=abc')).status).toBe(400);
    expect((await get(port, `/feed.xml?category=${encodeURIComponent('سياسة')}`)).status).toBe(200);
    expect((await get(port, '/feed.xml?category=nope')).status).toBe(404);
    const health = await get(port, '/healthz');
    expect(health.status).toBe(200);
    expect(health.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect((await get(port, '/nope')).status).toBe(404);
  });
});

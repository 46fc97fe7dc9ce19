import Parser from 'rss-parser';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createApp, feedCacheBound, type AppDeps } from '../../src/http/create-app.js';
import type { FeedQuery, FeedStore } from '../../src/http/feed-store.js';
import { PAGE_SIZES } from '../../src/http/parse-limit.js';
import { KhabarError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import type { MergedFeed, PublishedStory } from '../../src/publish/types.js';
import { sampleFeed, sampleStories } from '../publish/sample-feed.js';

/** A store whose data, version and failures the test controls, counting every call. */
class MemoryFeedStore implements FeedStore {
  stories: PublishedStory[] = sampleStories();
  versionValue = 'v1';
  failure: Error | null = null;
  versionCalls = 0;
  loadCalls = 0;
  lastLimit = 0;
  loads: FeedQuery[] = [];

  async version(): Promise<string> {
    this.versionCalls += 1;
    if (this.failure) throw this.failure;
    return this.versionValue;
  }

  async load(query: FeedQuery): Promise<MergedFeed> {
    const { limit } = query;
    this.loadCalls += 1;
    this.lastLimit = limit;
    this.loads.push(query);
    if (this.failure) throw this.failure;
    // The store's own title and URLs are placeholders: the app's config must win.
    return { ...sampleFeed(this.stories.slice(0, limit)), title: 'store title', homeUrl: 'http://wrong/', feedUrls: { rss: 'x', atom: 'y', json: 'z' } };
  }
}

const baseConfig = { publicUrl: 'https://news.example.org/', feedTitle: 'خبر', cacheSeconds: 30 };

function setup(overrides: Partial<AppDeps> & { cacheSeconds?: number } = {}) {
  const store = new MemoryFeedStore();
  let now = 1_000_000;
  const app = createApp({
    feedStore: store,
    logger: silentLogger(),
    config: { ...baseConfig, cacheSeconds: overrides.cacheSeconds ?? 30 },
    clock: () => now,
    ...overrides,
  });
  return { app, store, advance: (ms: number) => (now += ms) };
}

const parser = new Parser();

describe('createApp feeds', () => {
  it('serves RSS, Atom and JSON Feed with their content types and caching headers', async () => {
    const { app } = setup();
    const cases: [string, string][] = [
      ['/feed.xml', 'application/rss+xml; charset=utf-8'],
      ['/feed.atom', 'application/atom+xml; charset=utf-8'],
      ['/feed.json', 'application/feed+json; charset=utf-8'],
    ];
    for (const [path, type] of cases) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=30');
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(res.headers.get('last-modified')).toBe('Sat, 28 Nov 2026 12:30:00 GMT');
      expect(res.headers.get('content-encoding')).toBeNull();
      const body = await res.text();
      expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    }
  });

  it('uses the configured title and public URL in the documents', async () => {
    const { app } = setup();
    const parsed = await parser.parseString(await (await app.request('/feed.xml')).text());
    expect(parsed.title).toBe('خبر');
    expect(parsed.link).toBe('https://news.example.org/');
    expect(parsed.items.map((item) => item.title)[0]).toBe('ولي العهد يستقبل رئيس الوزراء الياباني في جدة');
    // ?limit=2 is served as the 20-entry page, and the self link says so: that is the document's address.
    const json = (await (await app.request('/feed.json?limit=2')).json()) as any;
    expect(json.feed_url).toBe('https://news.example.org/feed.json?limit=20');
    expect(json.items).toHaveLength(3);
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since, with validators and no body', async () => {
    const { app } = setup();
    const first = await app.request('/feed.xml');
    const etag = first.headers.get('etag')!;
    const notModified = await app.request('/feed.xml', { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('cache-control')).toBe('public, max-age=30');
    expect(await notModified.text()).toBe('');
    expect((await app.request('/feed.xml', { headers: { 'If-None-Match': '"stale"' } })).status).toBe(200);
    // A client holding the gzip form revalidates with the gzip ETag, even if it now asks for identity.
    const gz = await app.request('/feed.xml', { headers: { 'Accept-Encoding': 'gzip' } });
    expect((await app.request('/feed.xml', { headers: { 'If-None-Match': gz.headers.get('etag')! } })).status).toBe(304);
    const lastModified = first.headers.get('last-modified')!;
    expect((await app.request('/feed.xml', { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304);
    expect((await app.request('/feed.xml', { headers: { 'If-Modified-Since': 'Fri, 27 Nov 2026 00:00:00 GMT' } })).status).toBe(200);
    // If-None-Match decides when both are present.
    expect((await app.request('/feed.xml', { headers: { 'If-None-Match': '"stale"', 'If-Modified-Since': lastModified } })).status).toBe(200);
  });

  it('sends prebuilt gzip or brotli bytes when accepted, each decompressing to the same document', async () => {
    const { app } = setup();
    const plain = await (await app.request('/feed.atom')).text();
    const gz = await app.request('/feed.atom', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('etag')).toMatch(/-gzip"$/);
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString('utf8')).toBe(plain);
    const br = await app.request('/feed.atom', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(Number(br.headers.get('content-length'))).toBe(brBytes.length);
    expect(brotliDecompressSync(brBytes).toString('utf8')).toBe(plain);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { app } = setup();
    const res = await app.request('/feed.xml', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(res.headers.get('etag')).toBeTruthy();
    expect(await res.text()).toBe('');
  });

  it('clamps large limits and rejects invalid ones with a JSON error', async () => {
    const { app, store } = setup();
    await app.request('/feed.xml?limit=100000');
    expect(store.lastLimit).toBe(500);
    await app.request('/feed.xml');
    expect(store.lastLimit).toBe(50);
    for (const bad of ['abc', '0', '-3', '2.5']) {
      const res = await app.request(`/feed.json?limit=${bad}`);
      expect(res.status, bad).toBe(400);
      const body = (await res.json()) as any;
      expect(body.error.code).toBe('BAD_REQUEST');
      expect(body.error.message).toMatch(/limit/);
    }
  });
});

/** `n` stories, newest first, each one minute older than the one before. */
function manyStories(n: number): PublishedStory[] {
  const [template] = sampleStories();
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.UTC(2026, 10, 28, 12, 0) - i * 60_000);
    return { ...template!, id: `st_${n - i}`, title: `خبر رقم ${n - i}`, link: `https://example.org/${n - i}`, publishedAt: at, updatedAt: at };
  });
}

describe('createApp page sizes and categories', () => {
  it('serves ?limit=7 as the 20-entry page when 30 stories exist', async () => {
    const { app, store } = setup();
    store.stories = manyStories(30);
    const res = await app.request('/feed.xml?limit=7');
    expect(res.status).toBe(200);
    expect((await parser.parseString(await res.text())).items).toHaveLength(20);
    expect(store.lastLimit).toBe(20);
    const json = (await (await app.request('/feed.json?limit=21')).json()) as any;
    expect(json.items).toHaveLength(30);
  });

  it('loads at most one document per page size, however many distinct limits clients ask for', async () => {
    const { app, store } = setup();
    store.stories = manyStories(30);
    const limits = [1, 2, 3, 7, 19, 20, 21, 33, 49, 50, 51, 77, 99, 100, 150, 199, 201, 333, 499, 100000];
    expect(new Set(limits).size).toBe(20);
    for (const limit of limits) expect((await app.request(`/feed.xml?limit=${limit}`)).status).toBe(200);
    expect(store.loadCalls).toBeLessThanOrEqual(PAGE_SIZES.length);
    expect(new Set(store.loads.map((q) => q.limit))).toEqual(new Set(PAGE_SIZES));
    // Asked again, every one of them is served from memory.
    for (const limit of limits) await app.request(`/feed.xml?limit=${limit}`);
    expect(store.loadCalls).toBeLessThanOrEqual(PAGE_SIZES.length);
  });

  it('answers 404 with a short body for a category no configured feed has, without touching the store', async () => {
    const { app, store } = setup({ config: { ...baseConfig, categories: ['sport', 'ثقافة'] } });
    for (const path of ['/feed.xml?category=nope', '/feed.atom?category=Sport', '/feed.json?category=x&limit=20']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      expect(text.length).toBeLessThan(120);
      expect(JSON.parse(text).error.code).toBe('NOT_FOUND');
    }
    expect(store.loadCalls + store.versionCalls).toBe(0);
    const known = await app.request(`/feed.xml?category=${encodeURIComponent('ثقافة')}`);
    expect(known.status).toBe(200);
    expect((await parser.parseString(await known.text())).title).toBe('خبر — ثقافة');
    expect(store.loads.at(-1)).toEqual({ limit: 50, category: 'ثقافة' });
    // A bad limit is still a 400, whatever the category.
    expect((await app.request('/feed.xml?category=nope&limit=abc')).status).toBe(400);
  });

  it('takes the categories of the configured sources when no list is given', async () => {
    const sources = [
      { name: 'أ', url: 'https://a.example/rss', category: 'sport', language: 'ar' },
      { name: 'ب', url: 'https://b.example/rss', category: null, language: 'ar' },
    ];
    const { app } = setup({ config: { ...baseConfig, sources } });
    expect((await app.request('/feed.xml?category=sport')).status).toBe(200);
    expect((await app.request('/feed.xml?category=culture')).status).toBe(404);
  });

  it('bounds the cache by formats × page sizes × (categories + 1)', () => {
    expect(feedCacheBound(new Set(['sport', 'ثقافة']))).toBe(3 * 5 * 3);
    expect(feedCacheBound(new Set())).toBe(3 * 5);
  });
});

describe('createApp caching', () => {
  it('serves from memory while fresh, without asking the store', async () => {
    const { app, store } = setup();
    await app.request('/feed.xml');
    await app.request('/feed.xml');
    await app.request('/feed.xml', { headers: { 'Accept-Encoding': 'br' } });
    expect(store.versionCalls).toBe(1);
    expect(store.loadCalls).toBe(1);
  });

  it('when stale, checks the version and reuses the bytes if it did not change', async () => {
    const { app, store, advance } = setup();
    const first = await app.request('/feed.xml');
    advance(31_000);
    const second = await app.request('/feed.xml');
    expect(store.versionCalls).toBe(2);
    expect(store.loadCalls).toBe(1);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
  });

  it('rebuilds when the version changes, with a new ETag', async () => {
    const { app, store, advance } = setup();
    const first = await app.request('/feed.xml');
    store.stories = store.stories.slice(1);
    store.versionValue = 'v2';
    advance(31_000);
    const second = await app.request('/feed.xml', { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(store.loadCalls).toBe(2);
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect((await parser.parseString(await second.text())).items).toHaveLength(2);
  });

  it('keeps the same ETag when a rebuild gives the same bytes', async () => {
    const { app, store, advance } = setup();
    const first = await app.request('/feed.xml');
    store.versionValue = 'v2';
    advance(31_000);
    const second = await app.request('/feed.xml', { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(store.loadCalls).toBe(2);
    expect(second.status).toBe(304);
  });

  it('moves Last-Modified forward when the feed changes without a newer story', async () => {
    const { app, store, advance } = setup();
    const first = await app.request('/feed.xml');
    const lastModified = first.headers.get('last-modified')!;
    store.stories = [store.stories[0], store.stories[2]];
    store.versionValue = 'v2';
    advance(31_000);
    const second = await app.request('/feed.xml', { headers: { 'If-Modified-Since': lastModified } });
    expect(second.status).toBe(200);
    expect(Date.parse(second.headers.get('last-modified')!)).toBe(Date.parse(lastModified) + 1000);
  });

  it('coalesces concurrent rebuilds into one load', async () => {
    const { app, store } = setup();
    const responses = await Promise.all(Array.from({ length: 20 }, () => app.request('/feed.json')));
    expect(responses.every((res) => res.status === 200)).toBe(true);
    expect(store.loadCalls).toBe(1);
    expect(store.versionCalls).toBe(1);
  });

  it('keeps serving the stale copy when the store fails, and backs off', async () => {
    const { app, store, advance } = setup();
    const first = await app.request('/feed.xml');
    store.failure = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    advance(31_000);
    const stale = await app.request('/feed.xml');
    expect(stale.status).toBe(200);
    expect(stale.headers.get('etag')).toBe(first.headers.get('etag'));
    await app.request('/feed.xml');
    expect(store.versionCalls).toBe(2); // the failure counted as a check: no retry until stale again
  });

  it('answers 503 with Retry-After and no internals when the store fails and nothing is cached', async () => {
    const { app, store } = setup();
    store.failure = new Error('connect ECONNREFUSED 10.0.0.5:5432 password=secret');
    const res = await app.request('/feed.xml');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe('DB_UNAVAILABLE');
    expect(text).not.toMatch(/ECONNREFUSED|secret|at .*\.ts/);
  });

  it('maps KhabarError codes and hides messages of internal errors', async () => {
    const { app, store } = setup();
    store.failure = new KhabarError('DB_UNAVAILABLE', 'pool exhausted', { details: { retryAfterSeconds: 5 } });
    const res = await app.request('/feed.atom');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    store.failure = new KhabarError('INTERNAL', 'boom at src/x.ts:1');
    const internal = await app.request('/feed.json');
    expect(internal.status).toBe(500);
    expect(await internal.text()).not.toContain('boom');
  });
});

describe('createApp other routes', () => {
  it('/healthz is 200 while the process is up, whatever the dependency check says', async () => {
    const plain = setup();
    expect(await (await plain.app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const failing = setup({ health: async () => { throw new Error('db down'); } });
    const res = await failing.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).status).toBe('ok');
  });

  it('/readyz follows the dependency check', async () => {
    const ready = setup({ health: async () => ({ ok: true, details: { db: 'up' } }) });
    expect((await ready.app.request('/readyz')).status).toBe(200);
    const notReady = setup({ health: async () => ({ ok: false, details: { db: 'down' } }) });
    const res = await notReady.app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', failing: ['database'], checks: { database: { ok: false, db: 'down' } } });
    const throwing = setup({ health: async () => { throw new Error('x'); } });
    expect((await throwing.app.request('/readyz')).status).toBe(503);
  });

  it('/ is a right-to-left page with autodiscovery links to the three feeds', async () => {
    const { app } = setup();
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<html dir="rtl" lang="ar">');
    expect(html).toContain('<link rel="alternate" type="application/rss+xml" title="خبر (RSS 2.0)" href="https://news.example.org/feed.xml">');
    expect(html).toContain('type="application/atom+xml"');
    expect(html).toContain('type="application/feed+json"');
  });

  it('sends HSTS only when the public URL is https', async () => {
    const app = createApp({
      feedStore: new MemoryFeedStore(),
      logger: silentLogger(),
      config: { publicUrl: 'http://localhost:3000', feedTitle: 'خبر', cacheSeconds: 30 },
    });
    expect((await app.request('/healthz')).headers.get('strict-transport-security')).toBeNull();
    const https = setup();
    expect((await https.app.request('/healthz')).headers.get('strict-transport-security')).toBe('max-age=15552000');
  });

  it("sends Hono secure headers and a request id on every page, and a feed document's headers on the feeds", async () => {
    const { app } = setup();
    for (const path of ['/', '/feed.xml', '/healthz', '/nope']) {
      const res = await app.request(path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toBeTruthy();
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      if (path === '/feed.xml') {
        expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
        expect(res.headers.get('x-frame-options')).toBeNull();
      } else {
        expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
        expect(res.headers.get('x-request-id'), path).toBeTruthy();
      }
    }
    expect((await app.request('/feed.xml')).headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await app.request('/feed.json', {
      method: 'OPTIONS',
      headers: { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/If-None-Match/i);
    expect((await app.request('/nope')).status).toBe(404);
  });
});

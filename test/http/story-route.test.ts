import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/create-app.js';
import type { FeedStore } from '../../src/http/feed-store.js';
import { parseStoryId, storyRoute } from '../../src/http/routes/story-route.js';
import { KhabarError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { pageContentSecurityPolicy } from '../../src/publish/page-style.js';
import type { StoryPage } from '../../src/publish/render-story-page.js';
import { sampleFeed } from '../publish/sample-feed.js';

function storyPage(storyId: number, words = 1): StoryPage {
  const text = `${'أعلنت الحكومة اليوم خطة جديدة للنقل العام في العاصمة. '.repeat(words)}\nوقال الوزير إن التنفيذ يبدأ الشهر المقبل.`;
  const at = new Date(Date.UTC(2026, 10, 28, 12, 30));
  return {
    storyId,
    firstSeenAt: at,
    updatedAt: at,
    representativeItemId: storyId * 10,
    members: [
      { itemId: storyId * 10, feedId: 'agency', outlet: 'الوكالة', title: `الخبر ${storyId}`, link: 'https://agency.example/1', contentText: text, author: null, publishedAt: at, fetchedAt: at },
      { itemId: storyId * 10 + 1, feedId: 'daily', outlet: 'اليومية', title: 'عنوان آخر', link: 'https://daily.example/1', contentText: 'أعلنت الحكومة اليوم خطة جديدة للنقل العام في العاصمة.', author: null, publishedAt: at, fetchedAt: at },
    ],
    memberCount: 2,
    outletCount: 2,
  };
}

/** Stories 1–999 exist; the test controls the version and failures and counts loads. */
class MemoryStore implements FeedStore {
  versionValue = 'v1';
  failure: Error | null = null;
  loads: number[] = [];
  async version() {
    if (this.failure) throw this.failure;
    return this.versionValue;
  }
  async load() {
    return sampleFeed([]);
  }
  async loadStoryPage(storyId: number): Promise<StoryPage | null> {
    this.loads.push(storyId);
    if (this.failure) throw this.failure;
    return storyId < 1000 ? storyPage(storyId) : null;
  }
}

function setup(cacheSeconds = 30) {
  const store = new MemoryStore();
  let now = 1_000_000;
  const app = createApp({ feedStore: store, logger: silentLogger(), config: { publicUrl: 'https://news.example.org/', feedTitle: 'خبر', cacheSeconds }, clock: () => now });
  return { app, store, advance: (ms: number) => (now += ms) };
}

describe('/stories/{id}', () => {
  it('serves the story page with the page headers, an ETag and Last-Modified', async () => {
    const { app } = setup();
    const res = await app.request('/stories/7');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(pageContentSecurityPolicy);
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(res.headers.get('last-modified')).toBe('Sat, 28 Nov 2026 12:30:00 GMT');
    const doc = parseHTML(await res.text()).document;
    expect(doc.documentElement.getAttribute('dir')).toBe('rtl');
    expect(doc.querySelector('h1')?.textContent).toBe('الخبر 7');
    expect(doc.querySelector('link[rel="canonical"]')?.getAttribute('href')).toBe('https://news.example.org/stories/7');
    expect([...doc.querySelectorAll('article.copy del')].map((d) => d.textContent)).toEqual(['وقال الوزير إن التنفيذ يبدأ الشهر المقبل.']);
  });

  it('answers If-None-Match with a 304 and sends gzip or brotli when asked', async () => {
    const { app } = setup();
    const first = await app.request('/stories/7');
    const etag = first.headers.get('etag')!;
    const identity = await first.text();
    const again = await app.request('/stories/7', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const br = await app.request('/stories/7', { headers: { 'Accept-Encoding': 'br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(identity);
    const gz = await app.request('/stories/7', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(identity);
    const gzEtag = gz.headers.get('etag')!;
    expect((await app.request('/stories/7', { headers: { 'If-None-Match': gzEtag, 'Accept-Encoding': 'gzip' } })).status).toBe(304);
  });

  it.each([
    ['an unknown id', '/stories/1000'],
    ['a word', '/stories/abc'],
    ['zero', '/stories/0'],
    ['a leading zero', '/stories/07'],
    ['a negative id', '/stories/-7'],
    ['a fraction', '/stories/7.5'],
    ['digits past a safe integer', '/stories/99999999999999999'],
    ['trailing junk', '/stories/7abc'],
  ])('is a 404 page for %s', async (_, path) => {
    const { app } = setup();
    const res = await app.request(path);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toBe(pageContentSecurityPolicy);
    expect(parseHTML(await res.text()).document.documentElement.getAttribute('dir')).toBe('rtl');
  });

  it('asks the store only for well-formed ids', async () => {
    const { app, store } = setup();
    for (const path of ['/stories/abc', '/stories/0', '/stories/99999999999999999']) await app.request(path);
    expect(store.loads).toEqual([]);
  });

  it('builds a page once per change: fresh pages are served from memory, stale ones rebuilt only when the version moved', async () => {
    const { app, store, advance } = setup();
    await app.request('/stories/7');
    await app.request('/stories/7');
    expect(store.loads).toEqual([7]);
    advance(31_000);
    await app.request('/stories/7');
    expect(store.loads, 'same version: not rebuilt').toEqual([7]);
    store.versionValue = 'v2';
    await app.request('/stories/7');
    expect(store.loads, 'still fresh after the last check').toEqual([7]);
    advance(31_000);
    await app.request('/stories/7');
    expect(store.loads).toEqual([7, 7]);
  });

  it('shares one build among concurrent requests for a page', async () => {
    const { app, store } = setup();
    const responses = await Promise.all(Array.from({ length: 5 }, () => app.request('/stories/8')));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(store.loads).toEqual([8]);
  });

  it('keeps serving a built page while the store is down, and is a 503 for a page never built', async () => {
    const { app, store, advance } = setup();
    const body = await (await app.request('/stories/7')).text();
    store.failure = new KhabarError('DB_UNAVAILABLE', 'connection refused');
    advance(31_000);
    const stale = await app.request('/stories/7');
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(body);
    const never = await app.request('/stories/9');
    expect(never.status).toBe(503);
    expect(never.headers.get('retry-after')).toBe('30');
  });

  it('is a 404 for every id when the store cannot load story pages', async () => {
    const app = createApp({
      feedStore: { version: async () => 'v', load: async () => sampleFeed([]) },
      logger: silentLogger(),
      config: { publicUrl: 'https://news.example.org/', feedTitle: 'خبر', cacheSeconds: 30 },
    });
    expect((await app.request('/stories/1')).status).toBe(404);
  });

  it('holds built pages under its byte budget whatever ids clients ask for, least recently used dropped first', async () => {
    const store = new MemoryStore();
    const probe = new Hono().route('/', storyRoute({ feedStore: store, logger: silentLogger(), config: { publicUrl: 'http://k.test/', feedTitle: 'خبر', cacheSeconds: 3600 } }));
    let size = 0;
    for (const coding of ['identity', 'gzip', 'br']) {
      size += Number((await probe.request('/stories/1', { headers: { 'Accept-Encoding': coding } })).headers.get('content-length'));
    }
    expect(size).toBeGreaterThan(1000);
    // Room for three pages in all three codings, not four.
    const app = new Hono().route(
      '/',
      storyRoute({ feedStore: store, logger: silentLogger(), config: { publicUrl: 'http://k.test/', feedTitle: 'خبر', cacheSeconds: 3600 }, storyPageCacheBytes: size * 3.5 }),
    );
    store.loads = [];
    for (const id of [1, 2, 3]) await app.request(`/stories/${id}`);
    await app.request('/stories/1'); // 1 is now the most recently used
    expect(store.loads).toEqual([1, 2, 3]);
    for (let id = 100; id < 300; id++) expect((await app.request(`/stories/${id}`)).status).toBe(200);
    store.loads = [];
    await app.request('/stories/299');
    await app.request('/stories/1');
    expect(store.loads, 'the newest page is kept, an old one was dropped').toEqual([1]);
  });
});

describe('parseStoryId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', null],
    ['', null],
    ['01', null],
    ['1e3', null],
    ['٤٢', null],
    [' 42', null],
  ])('%j → %j', (raw, expected) => {
    expect(parseStoryId(raw)).toBe(expected);
  });
});

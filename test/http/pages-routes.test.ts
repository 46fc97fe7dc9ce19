import { brotliDecompressSync } from 'node:zlib';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_HOURS } from '../../src/domain/source-activity.js';
import { createApp } from '../../src/http/create-app.js';
import type { FeedStore } from '../../src/http/feed-store.js';
import type { StoryListQuery } from '../../src/http/pages-store.js';
import { HOME_PAGE_SIZE, MAX_CONCURRENT_SEARCHES } from '../../src/http/routes/pages-routes.js';
import { silentLogger } from '../../src/logger.js';
import { pageContentSecurityPolicy, pageIconPath, pageStylesheet, pageStylesheetPath } from '../../src/publish/page-style.js';
import type { PageStory } from '../../src/publish/render-home-page.js';
import type { SourceFacts } from '../../src/publish/render-status-page.js';
import { sampleFeed } from '../publish/sample-feed.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

function story(id: number): PageStory {
  return {
    id,
    title: `الخبر رقم ${id}`,
    lead: 'نص قصير عن الخبر.',
    firstSeenAt: new Date(T0 - id * 60_000),
    outlets: [{ name: 'الوكالة', link: `https://agency.example/${id}` }],
  };
}

function source(id: string, url: string, overrides: Partial<SourceFacts> = {}): SourceFacts {
  return {
    id,
    name: id,
    url,
    category: null,
    enabled: true,
    lastOutcome: 'ok',
    consecutiveFailures: 0,
    failingSince: null,
    lastErrorCode: null,
    lastErrorMessage: null,
    lastFetchedAt: new Date(T0 - 60_000),
    lastSuccessAt: new Date(T0 - 60_000),
    nextFetchAt: new Date(T0 + 600_000),
    itemsPerHour: new Array<number>(ACTIVITY_HOURS).fill(1),
    itemsLast24h: 24,
    recentItems: 10,
    joinedItems: 5,
    ...overrides,
  };
}

/** Stories 1..count, newest (lowest id) first; calls recorded. */
class MemoryPagesStore implements FeedStore {
  versionValue = 'v1';
  statusVersionValue = 's1';
  count = 75;
  homeLoads: StoryListQuery[] = [];
  searches: Array<{ terms: readonly string[]; beforeId: number | null }> = [];
  statusLoads = 0;
  searchGate: Promise<void> | null = null;
  async version() {
    return this.versionValue;
  }
  async load() {
    return sampleFeed([]);
  }
  async loadHomeStories(query: StoryListQuery) {
    this.homeLoads.push(query);
    const start = query.beforeId ?? 0;
    const ids = [];
    for (let id = start + 1; id <= this.count && ids.length < query.limit; id++) ids.push(id);
    return ids.map(story);
  }
  async searchStories(terms: readonly string[], page: { beforeId: number | null; limit: number }) {
    this.searches.push({ terms, beforeId: page.beforeId });
    if (this.searchGate) await this.searchGate;
    return [story(7)];
  }
  async loadSourceStatus() {
    this.statusLoads++;
    return [
      source('wakala', 'https://wakala.example/rss'),
      source('private', 'http://rsshub:1200/x?key=secret', { lastOutcome: 'error', consecutiveFailures: 2, lastErrorCode: 'FETCH_NETWORK', lastErrorMessage: 'ENOTFOUND rsshub', failingSince: new Date(T0 - 3_600_000) }),
    ];
  }
  async sourceStatusVersion() {
    return this.statusVersionValue;
  }
}

function setup() {
  const store = new MemoryPagesStore();
  let now = T0;
  const app = createApp({
    feedStore: store,
    logger: silentLogger(),
    config: {
      publicUrl: 'https://news.example.org/',
      feedTitle: 'خبر',
      cacheSeconds: 30,
      sources: [
        { name: 'الوكالة', url: 'https://wakala.example/rss', category: 'news' },
        { name: 'الرياضة', url: 'https://sport.example/rss', category: 'sport' },
      ],
    },
    clock: () => now,
  });
  return { app, store, advance: (ms: number) => (now += ms) };
}

const doc = async (res: Response) => parseHTML(await res.text()).document;

describe('home page', () => {
  it('lists the newest stories as a right-to-left page with a strict CSP, and autodiscovery for every feed', async () => {
    const { app } = setup();
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(pageContentSecurityPolicy);
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    const d = await doc(res);
    expect(d.documentElement.getAttribute('dir')).toBe('rtl');
    expect(d.querySelectorAll('.story')).toHaveLength(HOME_PAGE_SIZE);
    expect(d.querySelector('.story h2 a')!.getAttribute('href')).toBe('/stories/1');
    expect(d.querySelector('.story time')!.textContent).toBe('منذ دقيقة');
    const alternates = [...d.querySelectorAll('link[rel="alternate"]')].map((l) => [l.getAttribute('type'), l.getAttribute('href')]);
    expect(alternates).toEqual([
      ['application/rss+xml', 'https://news.example.org/feed.xml'],
      ['application/atom+xml', 'https://news.example.org/feed.atom'],
      ['application/feed+json', 'https://news.example.org/feed.json'],
      ['application/rss+xml', 'https://news.example.org/feed.xml?category=news'],
      ['application/rss+xml', 'https://news.example.org/feed.xml?category=sport'],
      ['text/x-opml', 'https://news.example.org/sources.opml'],
    ]);
    expect([...d.querySelectorAll('.tabs a')].map((a) => a.getAttribute('href'))).toEqual(['/', '/?category=news', '/?category=sport']);
    expect(d.querySelector('.pager a[rel="next"]')!.getAttribute('href')).toBe(`/?before=${HOME_PAGE_SIZE}`);
    expect(d.querySelector('form.search')!.getAttribute('action')).toBe('/search');
  });

  it('is built once per change: served from memory, 304 on its ETag, brotli when asked', async () => {
    const { app, store, advance } = setup();
    const first = await app.request('/');
    const etag = first.headers.get('etag')!;
    await app.request('/');
    expect(store.homeLoads).toHaveLength(1);
    const notModified = await app.request('/', { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    const br = await app.request('/', { headers: { 'Accept-Encoding': 'br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString('utf8')).toContain('الخبر رقم 1');
    // Stale but same version and minute: no reload.
    advance(31_000);
    await app.request('/');
    expect(store.homeLoads).toHaveLength(1);
    store.versionValue = 'v2';
    advance(31_000);
    await app.request('/');
    expect(store.homeLoads).toHaveLength(2);
    // The minute moved: rebuilt, since the page says how long ago.
    advance(60_000);
    const later = await app.request('/');
    expect(store.homeLoads).toHaveLength(3);
    expect((await doc(later)).querySelector('.story time')!.textContent).toBe('منذ ٣ دقائق');
  });

  it('category tabs and ?before= pages load what they name; bad values are 400/404 pages, not cache entries', async () => {
    const { app, store } = setup();
    const sport = await app.request('/?category=sport');
    expect(sport.status).toBe(200);
    expect(store.homeLoads.at(-1)).toEqual({ category: 'sport', beforeId: null, limit: HOME_PAGE_SIZE + 1 });
    const d = await doc(sport);
    expect(d.querySelector('.tabs a[aria-current="page"]')!.getAttribute('href')).toBe('/?category=sport');
    expect(d.querySelector('link[rel="alternate"]')!.getAttribute('href')).toBe('https://news.example.org/feed.xml?category=sport');
    const older = await app.request('/?before=60');
    expect(older.status).toBe(200);
    expect(store.homeLoads.at(-1)).toEqual({ category: null, beforeId: 60, limit: HOME_PAGE_SIZE + 1 });
    const last = await doc(older);
    expect(last.querySelectorAll('.story')).toHaveLength(15);
    expect([...last.querySelectorAll('.pager a')].map((a) => a.getAttribute('href'))).toEqual(['/']);
    const loads = store.homeLoads.length;
    for (const [path, status] of [['/?category=nope', 404], ['/?before=abc', 400], ['/?before=-1', 400], ['/?before=0', 400], [`/?category=${'x'.repeat(100)}`, 400]] as const) {
      const res = await app.request(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect(store.homeLoads).toHaveLength(loads);
  });

  it('serves the stylesheet under its hash for a year, and nothing under another name', async () => {
    const { app } = setup();
    const css = await app.request(`/${pageStylesheetPath}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await css.text()).toBe(pageStylesheet);
    expect((await app.request('/static/style-old.css')).status).toBe(404);
    const icon = await app.request(`/${pageIconPath}`);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});

describe('search', () => {
  it('normalizes the query, is never cached, and shows the query back', async () => {
    const { app, store } = setup();
    const res = await app.request(`/search?q=${encodeURIComponent('الأمنُ المائيّ')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toBe(pageContentSecurityPolicy);
    expect(store.searches).toEqual([{ terms: ['الامن', 'الماءي'], beforeId: null }]);
    const d = await doc(res);
    expect(d.querySelector('input[name="q"]')!.getAttribute('value')).toBe('الأمنُ المائيّ');
    expect(d.querySelector('.story h2 a')!.getAttribute('href')).toBe('/stories/7');
    await app.request(`/search?q=${encodeURIComponent('الأمن')}`);
    await app.request(`/search?q=${encodeURIComponent('الأمن')}`);
    expect(store.searches).toHaveLength(3);
  });

  it('an empty query asks for words without touching the store; a bad cursor is a 400', async () => {
    const { app, store } = setup();
    for (const path of ['/search', '/search?q=', '/search?q=%25%25']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('اكتب كلمة أو أكثر');
    }
    expect(store.searches).toHaveLength(0);
    expect((await app.request('/search?q=x&before=zz')).status).toBe(400);
  });

  it(`runs at most ${MAX_CONCURRENT_SEARCHES} searches at once; the next one is a 503 with Retry-After`, async () => {
    const { app, store } = setup();
    let open!: () => void;
    store.searchGate = new Promise<void>((resolve) => (open = resolve));
    const running = Array.from({ length: MAX_CONCURRENT_SEARCHES }, (_, i) => app.request(`/search?q=word${i}`));
    await new Promise((r) => setTimeout(r, 10));
    const refused = await app.request('/search?q=more');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    open();
    expect((await Promise.all(running)).map((r) => r.status)).toEqual(new Array(MAX_CONCURRENT_SEARCHES).fill(200));
    expect((await app.request('/search?q=again')).status).toBe(200);
  });
});

describe('status', () => {
  it('/status: a row per source, built once per change, private addresses left out', async () => {
    const { app, store } = setup();
    const res = await app.request('/status');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(pageContentSecurityPolicy);
    const html = await res.text();
    const d = parseHTML(html).document;
    expect(d.querySelectorAll('tbody tr')).toHaveLength(2);
    expect(d.querySelectorAll('svg.sparkline')).toHaveLength(2);
    expect(html).not.toMatch(/rsshub|secret/);
    expect(html).toContain('https://wakala.example/rss');
    expect(d.querySelector('a[aria-current="page"]')!.getAttribute('href')).toBe('/status');
    const again = await app.request('/status', { headers: { 'If-None-Match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(store.statusLoads).toBe(1);
  });

  it('/api/feeds: the same facts as JSON, readable from any origin', async () => {
    const { app } = setup();
    const res = await app.request('/api/feeds');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const json = (await res.json()) as { itemsPerHourFrom: string; sources: Array<{ id: string }> };
    expect(json.itemsPerHourFrom).toBe(new Date(T0 - 47 * 3_600_000).toISOString());
    expect(json.sources.map((s) => s.id)).toEqual(['wakala', 'private']);
    expect(json.sources[0]).toMatchObject({ url: 'https://wakala.example/rss', health: 'ok', joinedShare: 0.5, itemsLast24h: 24 });
    expect(json.sources[1]).toMatchObject({ url: null, health: 'failing', consecutiveFailures: 2, error: { code: 'FETCH_NETWORK', message: 'ENOTFOUND …' } });
    expect(JSON.stringify(json)).not.toMatch(/rsshub|secret/);
  });
});

describe('without page data in the store', () => {
  it('/ stays the autodiscovery page, and /search, /status are 404s; the stylesheet is still served', async () => {
    const app = createApp({
      feedStore: { version: async () => 'v', load: async () => sampleFeed([]) },
      logger: silentLogger(),
      config: { publicUrl: 'https://news.example.org/', feedTitle: 'خبر', cacheSeconds: 30 },
    });
    expect(await (await app.request('/')).text()).toContain('sources.opml');
    expect((await app.request('/search?q=x')).status).toBe(404);
    expect((await app.request('/status')).status).toBe(404);
    expect((await app.request(`/${pageStylesheetPath}`)).status).toBe(200);
  });
});

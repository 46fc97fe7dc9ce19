import iconv from 'iconv-lite';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { feedStates, items } from '../../src/db/schema.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/logger.js';
import type { RefreshDeps, RefreshResult } from '../../src/pipeline/refresh-feed.js';
import type { FeedSource } from '../../src/domain/feed-source.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { feedparserMissing, feedparserParse } from '../publish/sample-feed.js';
import { atom1, brokenXml, headerOnlyLegacyFeed, htmlPage, rss2, rssItems } from '../helpers/arabic-feeds.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

describe.each(testBackends())('fetch → store → publish on %s', (backend) => {
  let server: FixtureServer;
  let t: TestDatabase;
  let deps: RefreshDeps;
  const sources: FeedSource[] = [];

  beforeAll(async () => {
    server = await startFixtureServer({
      '/rss.xml': { body: rss2(), contentType: 'application/rss+xml; charset=utf-8', etag: '"rss-v1"' },
      '/atom.xml': {
        body: atom1(),
        contentType: 'application/atom+xml',
        lastModified: 'Sun, 29 Nov 2026 06:00:00 GMT',
      },
      '/legacy.xml': { body: iconv.encode(headerOnlyLegacyFeed(), 'windows-1256'), contentType: 'text/xml; charset=windows-1256' },
      '/bom.xml': {
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rss2([{ ...rssItems[0], link: 'https://bom.example.com/1', guid: 'bom-1' }], 'بوم'))]),
        contentType: 'application/xml',
      },
      '/broken.xml': { body: brokenXml, contentType: 'application/xml' },
      '/page.html': { body: htmlPage, contentType: 'text/html; charset=utf-8' },
    });
    sources.push(
      feedSource('rss', 'أخبار المثال', server.url('/rss.xml')),
      feedSource('atom', 'وكالة الأنباء', server.url('/atom.xml'), { category: 'ثقافة' }),
      feedSource('legacy', 'الصحيفة القديمة', server.url('/legacy.xml')),
      feedSource('bom', 'بوم', server.url('/bom.xml')),
      feedSource('broken', 'مكسور', server.url('/broken.xml')),
      feedSource('html', 'صفحة', server.url('/page.html')),
      feedSource('missing', 'مفقود', server.url('/nowhere.xml')),
    );
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, sources);
    deps = testRefreshDeps(t.handle.db);
  });

  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  async function pass(): Promise<Map<string, RefreshResult>> {
    const results = new Map<string, RefreshResult>();
    await refreshDueFeeds(deps, { concurrency: 3, ignoreSchedule: true, onResult: (r) => results.set(r.feedId, r) });
    return results;
  }

  it('refreshes every feed, recording errors without stopping the others', async () => {
    const results = await pass();
    expect(results.size).toBe(sources.length);
    expect(results.get('rss')).toMatchObject({ outcome: 'ok', newItems: 2 });
    expect(results.get('atom')).toMatchObject({ outcome: 'ok', newItems: 1 });
    expect(results.get('legacy')).toMatchObject({ outcome: 'ok', newItems: 1, charset: 'windows-1256' });
    expect(results.get('bom')).toMatchObject({ outcome: 'ok', newItems: 1 });
    expect(results.get('broken')).toMatchObject({ outcome: 'error', code: 'PARSE_INVALID_XML' });
    expect(results.get('html')).toMatchObject({ outcome: 'error', code: 'PARSE_NOT_A_FEED' });
    expect(results.get('missing')).toMatchObject({ outcome: 'error', code: 'FETCH_HTTP_STATUS' });

    const states = await t.handle.db.select().from(feedStates);
    const broken = states.find((s) => s.feedId === 'broken')!;
    expect(broken.lastOutcome).toBe('error');
    expect(broken.lastErrorCode).toBe('PARSE_INVALID_XML');
    expect(broken.consecutiveFailures).toBe(1);
    expect(states.find((s) => s.feedId === 'rss')!.etag).toBe('"rss-v1"');
  });

  it('publishes the stored items as RSS, Atom and JSON Feed with Arabic titles intact', async () => {
    const app = createApp({
      feedStore: createDbFeedStore(t.handle.db, { title: 'خبر', description: 'اختبار', language: 'ar', publicUrl: 'http://khabar.test' }),
      logger: silentLogger(),
      config: { publicUrl: 'http://khabar.test', feedTitle: 'خبر', cacheSeconds: 0 },
    });
    const res = await app.request('/feed.xml');
    expect(res.status).toBe(200);
    const parsed = await new Parser().parseString(await res.text());
    const titles = parsed.items.map((i) => i.title);
    expect(parsed.items).toHaveLength(5);
    expect(titles).toContain('وزير الخارجية يلتقي نظيره الأردني في عمّان');
    expect(titles).toContain('هطول أمطار غزيرة على المناطق الشمالية');
    expect(titles).toContain('افتتاح معرض الكتاب الدولي بمشاركة ٤٠ دولة');
    const links = parsed.items.map((i) => i.link);
    expect(links).toContain('https://agency.example.org/culture/3001#top');
    expect(links.every((l) => typeof l === 'string' && l.startsWith('https://'))).toBe(true);
    // The BOM feed repeats the first RSS article under another link: both are kept (dedup merges them later).
    expect(parsed.items.some((i) => (i.content ?? '').includes('<script'))).toBe(false);

    const culture = await new Parser().parseString(await (await app.request(`/feed.xml?category=${encodeURIComponent('ثقافة')}`)).text());
    expect(culture.items.map((i) => i.title)).toEqual(['افتتاح معرض الكتاب الدولي بمشاركة ٤٠ دولة']);
    expect(culture.title).toBe('خبر — ثقافة');
    const none = await new Parser().parseString(await (await app.request('/feed.xml?category=sport')).text());
    expect(none.items).toHaveLength(0);

    const cultureAtom = await (await app.request(`/feed.atom?category=${encodeURIComponent('ثقافة')}`)).text();
    expect(cultureAtom).toContain('<id>http://khabar.test/?category=%D8%AB%D9%82%D8%A7%D9%81%D8%A9</id>');
    expect(cultureAtom).toContain('rel="self" type="application/atom+xml" href="http://khabar.test/feed.atom?category=%D8%AB%D9%82%D8%A7%D9%81%D8%A9"');

    const atom = await new Parser().parseString(await (await app.request('/feed.atom')).text());
    expect(atom.items).toHaveLength(5);
    const json = (await (await app.request('/feed.json')).json()) as { items: Array<{ title: string }> };
    expect(json.items.map((i) => i.title)).toContain('ارتفاع أسعار النفط «برنت» إلى أعلى مستوى');

    const jsonStories = (await (await app.request('/feed.json')).json()) as {
      items: Array<{ title: string; _khabar: { story_url: string; sources: Array<{ title: string }> } }>;
    };
    for (const item of jsonStories.items) {
      expect(item._khabar.sources.map((s) => s.title)).toEqual([item.title]);
      expect(item._khabar.story_url).toMatch(/^http:\/\/khabar\.test\/stories\/\d+$/);
    }

    if (feedparserMissing) {
      console.warn(`skipping the feedparser check: ${feedparserMissing}`);
      return;
    }
    // feedparser 6.0 (Debian) reads RSS and Atom; it has no JSON Feed support.
    for (const path of ['/feed.xml', '/feed.atom']) {
      const r = await app.request(path);
      const read = feedparserParse(await r.text(), r.headers.get('content-type') ?? '');
      expect(read.bozo, `${path}: ${read.bozo_exception}`).toBe(0);
      expect(read.entries).toHaveLength(5);
      expect(read.entries.every((e) => e.link?.startsWith('https://'))).toBe(true);
      expect(read.entries.map((e) => e.title)).toContain('هطول أمطار غزيرة على المناطق الشمالية');
      // Each entry ends with its outlets' own headlines and the link to its story page.
      for (const e of read.entries) {
        expect(e.content, `${path}: ${e.title}`).toContain(`>${e.title}</a>`);
        expect(e.content, `${path}: ${e.title}`).toMatch(/<a href="http:\/\/khabar\.test\/stories\/\d+">صفحة الخبر<\/a><\/p><\/div>$/);
        if (path === '/feed.atom') {
          expect(e.links.filter((l) => l.rel === 'alternate')).toHaveLength(1);
          expect(e.links.filter((l) => l.rel === 'related').map((l) => l.title)).toEqual([e.title, 'صفحة الخبر']);
        }
      }
    }
  });

  it('sends conditional requests on the second pass and stores nothing new', async () => {
    server.clearRequests();
    const before = (await t.handle.db.select().from(items)).length;
    const results = await pass();
    expect(results.get('rss')).toMatchObject({ outcome: 'not-modified' });
    expect(results.get('atom')).toMatchObject({ outcome: 'not-modified' });
    expect(server.requestsTo('/rss.xml')[0].headers['if-none-match']).toBe('"rss-v1"');
    expect(server.requestsTo('/atom.xml')[0].headers['if-modified-since']).toBe('Sun, 29 Nov 2026 06:00:00 GMT');
    // Feeds without validators are fetched again, but their items are already stored.
    expect(results.get('legacy')).toMatchObject({ outcome: 'ok', newItems: 0 });
    expect((await t.handle.db.select().from(items)).length).toBe(before);
    const states = await t.handle.db.select().from(feedStates);
    expect(states.find((s) => s.feedId === 'broken')!.consecutiveFailures).toBe(2);
  });
});

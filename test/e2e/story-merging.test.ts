import { eq } from 'drizzle-orm';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { items, stories } from '../../src/db/schema.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/logger.js';
import type { RefreshDeps } from '../../src/pipeline/refresh-feed.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import type { Item } from '../../src/domain/item.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { agencyCopy, republishedCopy, thirdReport, unrelatedReport } from '../helpers/agency-report.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';
import { feedparserMissing, feedparserParse } from '../publish/sample-feed.js';
import { rssWith } from '../helpers/rss-with.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';


describe.each(testBackends())('one story, every outlet (%s)', (backend) => {
  let server: FixtureServer;
  let t: TestDatabase;
  let deps: RefreshDeps;

  beforeAll(async () => {
    server = await startFixtureServer({
      '/agency.xml': {
        body: rssWith([{ ...agencyCopy(), link: 'https://agency.example/water/1', date: 'Sun, 29 Nov 2026 06:00:00 GMT' }]),
        contentType: 'application/rss+xml; charset=utf-8',
      },
      '/daily.xml': {
        body: rssWith([
          { ...republishedCopy(), link: 'https://daily.example/news/55', date: 'Sun, 29 Nov 2026 07:30:00 GMT' },
          { ...unrelatedReport(), link: 'https://daily.example/news/56', date: 'Sun, 29 Nov 2026 07:45:00 GMT' },
        ]),
        contentType: 'application/rss+xml; charset=utf-8',
      },
    });
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [
      feedSource('agency', 'وكالة الأنباء', server.url('/agency.xml')),
      feedSource('daily', 'الصحيفة اليومية', server.url('/daily.xml')),
    ]);
    deps = testRefreshDeps(t.handle.db, createWorkerStoryAssigner(t.handle.db, { windowHours: 72 }));
  });

  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  it('publishes a republished report once, listing both outlets, and keeps other news apart', async () => {
    await refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true, feedIds: ['agency'] });
    const app = createApp({
      feedStore: createDbFeedStore(t.handle.db, { title: 'خبر', description: '', language: 'ar', publicUrl: 'http://khabar.test' }),
      logger: silentLogger(),
      config: { publicUrl: 'http://khabar.test', feedTitle: 'خبر', cacheSeconds: 0 },
    });
    const before = await new Parser().parseString(await (await app.request('/feed.xml')).text());
    expect(before.items).toHaveLength(1);
    const guid = before.items[0].guid;

    await refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true, feedIds: ['daily'] });
    const after = await new Parser().parseString(await (await app.request('/feed.xml')).text());
    expect(after.items).toHaveLength(2);
    const merged = after.items.find((i) => i.guid === guid)!;
    expect(merged, 'the story keeps its guid when an outlet joins').toBeDefined();
    const html = merged['content:encoded'] ?? merged.content ?? '';
    expect(html).toContain('وكالة الأنباء');
    expect(html).toContain('الصحيفة اليومية');
    expect(html).toContain('https://daily.example/news/55');
    // The most complete text represents the story: the agency's.
    expect(merged.title).toBe(agencyCopy().title);
    expect(after.items.map((i) => i.title)).toContain(unrelatedReport().title);

    // Each outlet's own headline, linked to its own article: a wrong merge would show here.
    expect(html).toContain(`<a href="https://agency.example/water/1"><bdi>${agencyCopy().title}</bdi></a> — <bdi>وكالة الأنباء</bdi>`);
    expect(html).toContain(`<a href="https://daily.example/news/55"><bdi>${republishedCopy().title}</bdi></a> — <bdi>الصحيفة اليومية</bdi>`);
    const [row] = await t.handle.db.select({ id: stories.id }).from(stories).where(eq(stories.guid, guid!.replace(/^urn:uuid:/, '')));
    const storyUrl = `http://khabar.test/stories/${row.id}`;
    expect(html.endsWith(`<p><a href="${storyUrl}">صفحة الخبر</a></p></div>`)).toBe(true);

    const json = (await (await app.request('/feed.json')).json()) as {
      items: Array<{ id: string; _khabar: { story_url: string; sources: Array<{ name: string; title: string; url: string }> } }>;
    };
    const story = json.items.find((i) => i._khabar.sources.length === 2)!;
    expect(story._khabar.sources.map((s) => s.name).sort()).toEqual(['الصحيفة اليومية', 'وكالة الأنباء']);
    expect(story._khabar.sources.map((s) => [s.url, s.title]).sort()).toEqual(
      [
        ['https://agency.example/water/1', agencyCopy().title],
        ['https://daily.example/news/55', republishedCopy().title],
      ].sort(),
    );
    expect(story._khabar.story_url).toBe(storyUrl);

    const atom = await (await app.request('/feed.atom')).text();
    expect(atom).toContain(`<link rel="related" type="text/html" href="https://daily.example/news/55" title="${republishedCopy().title}"/>`);
    expect(atom).toContain(`<link rel="related" type="text/html" title="صفحة الخبر" href="${storyUrl}"/>`);
    const atomRead = await new Parser().parseString(atom);
    expect(atomRead.items.find((i) => i.id === guid)?.link).toBe('https://agency.example/water/1');

    if (feedparserMissing) {
      console.warn(`skipping the feedparser check: ${feedparserMissing}`);
      return;
    }
    for (const path of ['/feed.xml', '/feed.atom']) {
      const r = await app.request(path);
      const read = feedparserParse(await r.text(), r.headers.get('content-type') ?? '');
      expect(read.bozo, `${path}: ${read.bozo_exception}`).toBe(0);
      const entry = read.entries.find((e) => e.id === guid)!;
      expect(entry.link, path).toBe('https://agency.example/water/1');
      for (const headline of [agencyCopy().title, republishedCopy().title]) expect(entry.content, path).toContain(headline);
      expect(entry.content, path).toContain(`href="${storyUrl}"`);
    }
    const atomEntry = feedparserParse(atom).entries.find((e) => e.id === guid)!;
    expect(atomEntry.links.filter((l) => l.rel === 'related').map((l) => [l.href, l.title])).toEqual([
      ['https://agency.example/water/1', agencyCopy().title],
      ['https://daily.example/news/55', republishedCopy().title],
      [storyUrl, 'صفحة الخبر'],
    ]);
  });

  it.skipIf(backend !== 'postgres')('two workers storing copies of one report at the same moment make one story', async () => {
    const mkItem = (feedId: string, n: number, copy: { title: string; html: string }): Item => ({
      feedId,
      entryKey: `race-${feedId}-${n}`,
      guid: null,
      link: `https://${feedId}.example/race/${n}`,
      canonicalLink: `https://${feedId}.example/race/${n}`,
      title: copy.title,
      contentHtml: copy.html,
      contentText: copy.html.replace(/<\/p>/g, '\n').replace(/<[^>]+>/g, '').trim(),
      publishedAt: new Date(),
      author: null,
    });
    // A second process: its own pool and its own assigner over the same database.
    const other = await openDatabase({ databaseUrl: t.url!, dataDir: 'unused', poolMax: 2 });
    try {
      const a = createWorkerStoryAssigner(t.handle.db, { windowHours: 72 });
      const b = createWorkerStoryAssigner(other.db, { windowHours: 72 });
      const copy = thirdReport();
      await Promise.all([
        storeItems(t.handle.db, [mkItem('agency', 1, copy)], a),
        storeItems(other.db, [mkItem('daily', 1, copy)], b),
      ]);
    } finally {
      await other.close();
    }
    const ids = (await t.handle.db.select().from(items)).filter((i) => i.entryKey.startsWith('race-')).map((i) => i.storyId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBeNull();
    expect(ids[0]).toBe(ids[1]);
    const [story] = await t.handle.db.select().from(stories).where(eq(stories.id, ids[0]!));
    expect(story.itemCount).toBe(2);
  });
});

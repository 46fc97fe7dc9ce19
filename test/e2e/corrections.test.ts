/**
 * Corrections reach subscribers: an outlet that changes an entry's headline or text under the same identity (guid)
 * updates the stored item, the served entry and the dedup entry; the story keeps its id and guid, and its updated
 * time moves only when what its entry shows changed.
 */
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { queryRows } from '../../src/db/client.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { items, stories } from '../../src/db/schema.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/logger.js';
import type { RefreshDeps, StoriesChanged } from '../../src/pipeline/refresh-feed.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { agencyCopy, agencyParagraphs, agencyTitle, thirdReport, unrelatedReport } from '../helpers/agency-report.js';
import { rssWith } from '../helpers/rss-with.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';


describe.each(testBackends())('an outlet corrects an entry (%s)', (backend) => {
  let server: FixtureServer;
  let t: TestDatabase;
  let deps: RefreshDeps;
  const link = 'https://agency.example/water/1';
  const original = agencyCopy();
  const serve = (title: string, html: string) =>
    server.route('/agency.xml', {
      body: rssWith([
        { title, html, link, date: 'Sun, 29 Nov 2026 06:00:00 GMT' },
        { ...unrelatedReport(), link: 'https://agency.example/solar/2', date: 'Sun, 29 Nov 2026 06:30:00 GMT' },
      ]),
      contentType: 'application/rss+xml; charset=utf-8',
    });
  const refresh = () => refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true });
  const storyOf = async () => {
    const [row] = await t.handle.db.select({ id: items.id, storyId: items.storyId, title: items.title }).from(items).where(eq(items.link, link));
    const [story] = await t.handle.db.select().from(stories).where(eq(stories.id, row.storyId!));
    return { item: row, story };
  };
  const feedTitles = async () => {
    const app = createApp({
      feedStore: createDbFeedStore(t.handle.db, { title: 'خبر', description: '', language: 'ar', publicUrl: 'http://khabar.test' }),
      logger: silentLogger(),
      config: { publicUrl: 'http://khabar.test', feedTitle: 'خبر', cacheSeconds: 0 },
    });
    return (await new Parser().parseString(await (await app.request('/feed.xml')).text())).items.map((i) => i.title);
  };

  beforeAll(async () => {
    server = await startFixtureServer({});
    serve(original.title, original.html);
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [feedSource('agency', 'وكالة الأنباء', server.url('/agency.xml'))]);
    deps = testRefreshDeps(t.handle.db, createWorkerStoryAssigner(t.handle.db, { windowHours: 72 }));
    await refresh();
  });

  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  it('the same entry fetched again unchanged changes nothing', async () => {
    const before = await storyOf();
    await refresh();
    const after = await storyOf();
    expect(after.story.updatedAt.getTime()).toBe(before.story.updatedAt.getTime());
    expect(after.item).toEqual(before.item);
  });

  it('an item stored before source digests gets its digest on the next fetch, without counting as corrected', async () => {
    const before = await storyOf();
    await t.handle.db.update(items).set({ sourceDigest: null }).where(eq(items.id, before.item.id));
    await refresh();
    const after = await storyOf();
    expect(after.story.updatedAt.getTime()).toBe(before.story.updatedAt.getTime());
    const [row] = await t.handle.db.select({ digest: items.sourceDigest }).from(items).where(eq(items.id, before.item.id));
    expect(row.digest).toMatch(/^v2:[0-9a-f]{64}$/);
  });

  it('a corrected headline and text update the stored item, the served entry and its dedup entry; the story keeps its id', async () => {
    const before = await storyOf();
    const fingerprintBefore = await queryRows<{ fp: unknown }>(t.handle.db, sql`select fingerprint_packed as fp from dedup_entries where item_key = ${String(before.item.id)}`);
    const correctedTitle = `${original.title} (محدث)`;
    const correctedHtml = `${original.html}<p>وأضافت الوزارة في بيان لاحق أن المرحلة الثانية من الخطة تبدأ مطلع العام المقبل في المنطقة الشرقية.</p>`;
    serve(correctedTitle, correctedHtml);
    await refresh();
    const after = await storyOf();
    expect(after.item.id).toBe(before.item.id);
    expect(after.item.storyId).toBe(before.item.storyId);
    expect(after.item.title).toBe(correctedTitle);
    expect(after.story.guid).toBe(before.story.guid);
    expect(after.story.updatedAt.getTime()).toBeGreaterThan(before.story.updatedAt.getTime());
    const [stored] = await t.handle.db.select({ text: items.contentText }).from(items).where(eq(items.id, before.item.id));
    expect(stored.text).toContain('المرحلة الثانية من الخطة');
    const fingerprintAfter = await queryRows<{ fp: unknown }>(t.handle.db, sql`select fingerprint_packed as fp from dedup_entries where item_key = ${String(before.item.id)}`);
    expect(fingerprintAfter).toHaveLength(1);
    expect(fingerprintAfter[0].fp).not.toEqual(fingerprintBefore[0].fp);
    const titles = await feedTitles();
    expect(titles).toContain(correctedTitle);
    expect(titles).not.toContain(original.title);
    expect(await t.handle.db.select().from(stories)).toHaveLength(2);
  });
});

/**
 * Feeds that render an entry's HTML anew on every request (cache-busting and tracking query strings, attributes in
 * another order, other wrappers, whitespace, a relative time, a view counter, a rotating «read also» link): what a
 * subscriber reads did not change, so it is not a correction. It used to be one on every fetch: the story's updated
 * time moved, the feeds were rebuilt and the hub pinged each time.
 */
describe.each(testBackends())('an entry whose markup changes on every fetch (%s)', (backend) => {
  let server: FixtureServer;
  let t: TestDatabase;
  let deps: RefreshDeps;
  const changes: StoriesChanged[] = [];
  const bodies: string[] = [];
  const link = 'https://agency.example/water/1';
  let paragraphs = [...agencyParagraphs];
  let fetches = 0;
  /** The entry's HTML as the n-th response renders it: the same text every time. */
  const churned = (n: number) => {
    const [first, ...rest] = paragraphs;
    const image =
      n % 2
        ? `<img src="https://cdn.agency.example/water.jpg?v=${n}&amp;w=640" alt="الاجتماع" width="640">`
        : `<img width="640" alt="الاجتماع" loading="lazy" src="https://cdn.agency.example/water.jpg?cache=${Date.now()}-${n}">`;
    return (
      `<div class="post-${n}">${n % 3 === 0 ? '\n  ' : ''}<p>منذ ${n + 2} دقائق</p>` +
      `<p data-n="${n}"><span>${first}</span></p><figure>${image}</figure>` +
      rest.map((p) => (n % 2 ? `<p>${p}</p>` : `<p class="x">  ${p.replace(/ /g, '\u00a0 ')}</p>`)).join('') +
      `<p><a href="https://agency.example/water/1?utm_source=rss&amp;t=${n}">${'رابط الخبر'}</a></p>` +
      `<p>اقرأ أيضا: <a href="/other/${n}">${n % 2 ? 'أسعار الذهب ترتفع' : 'منتخب الشباب يتأهل إلى النهائي'}</a></p>` +
      `<p>عدد المشاهدات: ${1000 + n * 17}</p></div><!-- rendered ${n} -->`
    );
  };
  const refresh = () => refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true });
  const row = async () =>
    (await t.handle.db.select({ id: items.id, storyId: items.storyId, title: items.title, html: items.contentHtml, text: items.contentText, digest: items.sourceDigest }).from(items).where(eq(items.link, link)))[0]!;
  const storyOf = async (storyId: number) => (await t.handle.db.select().from(stories).where(eq(stories.id, storyId)))[0]!;

  beforeAll(async () => {
    server = await startFixtureServer({});
    // No validators: every fetch is a 200 with a body rendered for it.
    server.route('/agency.xml', (_req, res) => {
      const body = rssWith([
        { title: agencyTitle, html: churned(fetches++), link, date: 'Sun, 29 Nov 2026 06:00:00 GMT' },
        { ...unrelatedReport(), link: 'https://agency.example/solar/2', date: 'Sun, 29 Nov 2026 06:30:00 GMT' },
      ]);
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
    });
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [feedSource('agency', 'وكالة الأنباء', server.url('/agency.xml'))]);
    deps = {
      ...testRefreshDeps(t.handle.db, createWorkerStoryAssigner(t.handle.db, { windowHours: 72 })),
      onStoriesChanged: (change) => void changes.push(change),
    };
    await refresh();
    changes.splice(0);
  });

  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  it('is not a correction: the item, its story and its updated time stay, and no change is reported', async () => {
    const before = await row();
    const story = await storyOf(before.storyId!);
    for (let i = 0; i < 3; i++) await refresh();
    // Really fetched, and really served other bytes each time.
    expect(fetches).toBe(4);
    expect(new Set(bodies).size).toBe(4);
    expect(await row()).toEqual(before);
    expect((await storyOf(before.storyId!)).updatedAt.getTime()).toBe(story.updatedAt.getTime());
    expect(changes).toEqual([]);
  });

  it('an item stored with an old-format digest gets the new one, without counting as corrected', async () => {
    const before = await row();
    const story = await storyOf(before.storyId!);
    // What the digest was before versions: sha256 of the title and the sanitized HTML.
    const old = createHash('sha256').update(`${before.title}\n${before.html}`).digest('hex');
    await t.handle.db.update(items).set({ sourceDigest: old }).where(eq(items.id, before.id));
    await refresh();
    const after = await row();
    expect(after.digest).toBe(before.digest);
    expect(after.digest).toMatch(/^v2:[0-9a-f]{64}$/);
    expect({ ...after, digest: null }).toEqual({ ...before, digest: null });
    expect((await storyOf(before.storyId!)).updatedAt.getTime()).toBe(story.updatedAt.getTime());
    expect(changes).toEqual([]);
  });

  it('a changed sentence in the churning markup is still a correction, reported once', async () => {
    const before = await row();
    const story = await storyOf(before.storyId!);
    paragraphs = [...agencyParagraphs.slice(0, 3), agencyParagraphs[3]!.replace('في الرباط', 'في تونس')];
    await refresh();
    const after = await row();
    expect(after.id).toBe(before.id);
    expect(after.text).toContain('في تونس');
    expect(after.text).not.toContain('في الرباط');
    expect(after.digest).not.toBe(before.digest);
    const corrected = await storyOf(before.storyId!);
    expect(corrected.updatedAt.getTime()).toBeGreaterThan(story.updatedAt.getTime());
    expect(changes).toEqual([{ feedId: 'agency', storyIds: [before.storyId] }]);
    // The markup goes on changing; the text does not.
    for (let i = 0; i < 2; i++) await refresh();
    expect((await storyOf(before.storyId!)).updatedAt.getTime()).toBe(corrected.updatedAt.getTime());
    expect((await row()).digest).toBe(after.digest);
    expect(changes).toHaveLength(1);
  });
});

/**
 * A correction that rewrites an item's text: later copies are compared with the corrected text, not with what the
 * worker's assigner held of the item before (it prefers its own prepared fingerprints to the stored ones).
 */
describe.each(testBackends())('copies of a corrected text (%s)', (backend) => {
  let server: FixtureServer;
  let t: TestDatabase;
  let deps: RefreshDeps;
  const link = 'https://agency.example/first/1';
  const serve = (path: string, entries: Parameters<typeof rssWith>[0]) =>
    server.route(path, { body: rssWith(entries), contentType: 'application/rss+xml; charset=utf-8' });
  const refresh = () => refreshDueFeeds(deps, { concurrency: 1, ignoreSchedule: true });
  const storyOfLink = async (l: string) => (await t.handle.db.select({ storyId: items.storyId }).from(items).where(eq(items.link, l)))[0]?.storyId;

  beforeAll(async () => {
    server = await startFixtureServer({});
    serve('/agency.xml', [{ ...agencyCopy(), link, date: 'Sun, 29 Nov 2026 06:00:00 GMT' }]);
    serve('/other.xml', []);
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [feedSource('agency', 'وكالة الأنباء', server.url('/agency.xml')), feedSource('other', 'صحيفة', server.url('/other.xml'))]);
    deps = testRefreshDeps(t.handle.db, createWorkerStoryAssigner(t.handle.db, { windowHours: 72 }));
    await refresh();
  });
  afterAll(async () => {
    await t?.drop();
    await server?.close();
  });

  it('join the corrected item’s story', async () => {
    // The outlet replaced the report under the same link by another one.
    serve('/agency.xml', [{ ...thirdReport(), link, date: 'Sun, 29 Nov 2026 06:00:00 GMT' }]);
    await refresh();
    const copyLink = 'https://other.example/satellite';
    serve('/other.xml', [{ ...thirdReport(), title: 'قمر صناعي إماراتي لرصد العواصف', link: copyLink, date: 'Sun, 29 Nov 2026 08:00:00 GMT' }]);
    await refresh();
    expect(await storyOfLink(copyLink)).toBe(await storyOfLink(link));
  });
});

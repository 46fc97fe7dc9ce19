/**
 * Corrections reach subscribers: an outlet that changes an entry's headline or text under the same identity (guid)
 * updates the stored item, the served entry and the dedup entry; the story keeps its id and guid, and its updated
 * time moves only when what its entry shows changed.
 */
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
import type { RefreshDeps } from '../../src/pipeline/refresh-feed.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { agencyCopy, unrelatedReport } from '../helpers/agency-report.js';
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
    expect(row.digest).toMatch(/^[0-9a-f]{64}$/);
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

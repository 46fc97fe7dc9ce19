import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { loadHomeStories } from '../../src/db/queries/load-home-stories.js';
import { ACTIVITY_HOURS, activityStart, loadSourceStatus, sourceStatusVersion } from '../../src/db/queries/load-source-status.js';
import { recordFetchOutcome, recordLateFailure } from '../../src/db/queries/record-fetch-outcome.js';
import { searchStories, searchTerms } from '../../src/db/queries/search-stories.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { refreshStories, setItemStories } from '../../src/db/queries/story-membership.js';
import { feedStates, items, stories } from '../../src/db/schema.js';
import type { Item } from '../../src/domain/item.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import { singletonStoryAssigner } from '../../src/pipeline/story-assigner.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

/**
 * Joins the story of `itemId` to the story of `intoItemId`, as story assignment would have placed it (written
 * directly, so that these tests do not depend on the assigner's interface).
 */
async function joinStory(db: Database, itemId: number, intoItemId: number): Promise<void> {
  const [into] = await db.select({ storyId: items.storyId }).from(items).where(eq(items.id, intoItemId));
  const [own] = await db.select({ storyId: items.storyId }).from(items).where(eq(items.id, itemId));
  await setItemStories(db, [{ itemId, storyId: into!.storyId! }]);
  await db.delete(stories).where(eq(stories.id, own!.storyId!));
  await refreshStories(db, [into!.storyId!]);
}

const HOUR = 3_600_000;

function item(feedId: string, n: number, title: string, text: string, publishedAt: Date): Item {
  const link = `https://${feedId}.example/news/${n}`;
  return { feedId, entryKey: link, guid: null, link, canonicalLink: link, title, contentHtml: `<p>${text}</p>`, contentText: text, publishedAt, author: null };
}

describe.each(testBackends())('home, search and status queries (%s)', (backend) => {
  let t: TestDatabase;
  let db: Database;
  const now = new Date();
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    db = t.handle.db;
    await syncFeeds(db, [
      feedSource('wakala', 'الوكالة', 'https://wakala.example/rss', { category: 'news' }),
      feedSource('sahifa', 'الصحيفة', 'https://sahifa.example/rss', { category: 'news' }),
      feedSource('riyada', 'الرياضة اليوم', 'https://riyada.example/rss', { category: 'sport' }),
    ]);
    await storeItems(db, [item('wakala', 1, 'وزراء المياه العرب يُقرّون خطة الأمن المائي', 'أقر وزراء المياه خطة للسنوات العشر المقبلة بمشاركة ١٨ دولة في عام 2026', at(5))], singletonStoryAssigner, at(5));
    await storeItems(db, [item('sahifa', 1, 'وزراء المياه العرب يُقرّون خطة الأمن المائي', 'اقر الوزراء الخطة والمسؤولية مشتركة', at(4))], singletonStoryAssigner, at(4));
    const [first, copy] = await db.select({ id: items.id }).from(items).orderBy(items.id);
    await joinStory(db, copy!.id, first!.id);
    await storeItems(db, [item('riyada', 1, 'افتتاح ملعب جديد بالرياض', 'افتتحت مدرسة رياضية في الرياض وتتحمل الوزارة المسئولية', at(3))], singletonStoryAssigner, at(3));
    await storeItems(db, [item('wakala', 2, 'إطلاق قمر صناعي لرصد الطقس', 'أطلقت وكالة الفضاء قمرا صناعيا جديدا', at(2))], singletonStoryAssigner, at(2));
    // Published "in the future" (a wrong clock at the outlet): counted at its fetch time.
    await storeItems(db, [item('sahifa', 2, 'خبر بتاريخ في المستقبل', 'نص', new Date(now.getTime() + 5 * HOUR))], singletonStoryAssigner, at(1));
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('lists stories newest first with every outlet, the representative first', async () => {
    const rows = await loadHomeStories(db, { limit: 10 });
    expect(rows.map((r) => r.title)).toEqual([
      'خبر بتاريخ في المستقبل',
      'إطلاق قمر صناعي لرصد الطقس',
      'افتتاح ملعب جديد بالرياض',
      'وزراء المياه العرب يُقرّون خطة الأمن المائي',
    ]);
    const water = rows[3]!;
    expect(water.outlets.map((o) => o.name)).toEqual(['الوكالة', 'الصحيفة']);
    expect(water.outlets[1]!.link).toBe('https://sahifa.example/news/1');
    expect(water.lead.startsWith('أقر وزراء المياه')).toBe(true);
    expect(water.category).toBe('news');
  });

  it('filters by category and pages with a story-id cursor', async () => {
    expect((await loadHomeStories(db, { limit: 10, category: 'sport' })).map((r) => r.title)).toEqual(['افتتاح ملعب جديد بالرياض']);
    expect(await loadHomeStories(db, { limit: 10, category: 'none' })).toEqual([]);
    const first = await loadHomeStories(db, { limit: 2 });
    const second = await loadHomeStories(db, { limit: 2, beforeId: first[1]!.id });
    const third = await loadHomeStories(db, { limit: 2, beforeId: second[1]!.id });
    expect([...first, ...second].map((r) => r.id)).toEqual((await loadHomeStories(db, { limit: 4 })).map((r) => r.id));
    expect(third).toEqual([]);
    expect(await loadHomeStories(db, { limit: 2, beforeId: 987654321 })).toEqual([]);
  });

  it.each([
    ['يقرون', ['وزراء المياه العرب يُقرّون خطة الأمن المائي']],
    ['الامن المائى', ['وزراء المياه العرب يُقرّون خطة الأمن المائي']],
    ['أقر', ['وزراء المياه العرب يُقرّون خطة الأمن المائي']],
    ['مدرسه', ['افتتاح ملعب جديد بالرياض']],
    ['الرياض', ['افتتاح ملعب جديد بالرياض']],
    ['المسئولية', ['افتتاح ملعب جديد بالرياض', 'وزراء المياه العرب يُقرّون خطة الأمن المائي']],
    ['٢٠٢٦', ['وزراء المياه العرب يُقرّون خطة الأمن المائي']],
    ['18 دولة', ['وزراء المياه العرب يُقرّون خطة الأمن المائي']],
    ['قمر الرياض', []],
    ['طقس', ['إطلاق قمر صناعي لرصد الطقس']],
    ['غير موجود إطلاقا', []],
  ])('search «%s» finds each spelling', async (query, titles) => {
    const rows = await searchStories(db, searchTerms(query), { limit: 10 });
    expect(rows.map((r) => r.title)).toEqual(titles);
  });

  it('search terms: normalized, deduplicated, bounded; LIKE wildcards are not terms', () => {
    expect(searchTerms('  الأمنُ  الامن ')).toEqual(['الامن']);
    expect(searchTerms('%_%')).toEqual([]);
    expect(searchTerms('١ ٢ ٣ ٤ ٥ ٦ ٧ ٨ ٩ ١٠')).toHaveLength(8);
  });

  it('reports each source: activity per hour, items in the window and the share that joined another story', async () => {
    const rows = new Map((await loadSourceStatus(db, now)).map((r) => [r.id, r]));
    const wakala = rows.get('wakala')!;
    expect(wakala.itemsPerHour).toHaveLength(ACTIVITY_HOURS);
    // Oldest first, by clock hour: the last bucket is the current hour.
    const bucket = (hoursAgo: number) => Math.floor((at(hoursAgo).getTime() - activityStart(now).getTime()) / HOUR);
    expect(bucket(0)).toBe(ACTIVITY_HOURS - 1);
    expect(wakala.itemsPerHour[bucket(5)]).toBe(1);
    expect(wakala.itemsPerHour[bucket(2)]).toBe(1);
    expect(wakala.itemsLast24h).toBe(2);
    expect(wakala.itemsPerHour.reduce((a, b) => a + b, 0)).toBe(2);
    expect(wakala).toMatchObject({ recentItems: 2, joinedItems: 0, lastOutcome: 'new', consecutiveFailures: 0, failingSince: null });
    const sahifa = rows.get('sahifa')!;
    expect(sahifa).toMatchObject({ recentItems: 2, joinedItems: 1 });
    expect(sahifa.itemsPerHour[bucket(4)]).toBe(1);
    expect(sahifa.itemsPerHour[bucket(1)]).toBe(1);
    expect(sahifa.itemsLast24h).toBe(2);
    expect(rows.get('riyada')).toMatchObject({ recentItems: 1, joinedItems: 0, url: 'https://riyada.example/rss', category: 'sport' });
  });

  it('keeps the start of a failure streak until a success ends it', async () => {
    const failure = { kind: 'error' as const, code: 'FETCH_TIMEOUT', message: 'timed out', httpStatus: null, nextFetchAt: new Date(now.getTime() + HOUR) };
    const before = await sourceStatusVersion(db);
    await recordFetchOutcome(db, 'riyada', failure);
    const [first] = await db.select().from(feedStates).where(eq(feedStates.feedId, 'riyada'));
    expect(first!.failingSince).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 20));
    await recordFetchOutcome(db, 'riyada', { ...failure, code: 'FETCH_HTTP_STATUS', message: 'HTTP 503' });
    const status = (await loadSourceStatus(db, now)).find((r) => r.id === 'riyada')!;
    expect(status).toMatchObject({ consecutiveFailures: 2, lastErrorCode: 'FETCH_HTTP_STATUS', lastErrorMessage: 'HTTP 503', lastOutcome: 'error' });
    expect(status.failingSince!.getTime()).toBe(first!.failingSince!.getTime());
    expect(await sourceStatusVersion(db)).not.toBe(before);
    await recordFetchOutcome(db, 'riyada', { kind: 'ok', etag: null, lastModified: null, httpStatus: 200, newItems: 0, charset: null, nextFetchAt: now });
    expect((await loadSourceStatus(db, now)).find((r) => r.id === 'riyada')).toMatchObject({ failingSince: null, consecutiveFailures: 0 });
    // A failure written late starts its streak at the time it failed.
    const failedAt = new Date(now.getTime() + 60_000);
    await recordLateFailure(db, 'riyada', failure, failedAt);
    expect((await loadSourceStatus(db, now)).find((r) => r.id === 'riyada')!.failingSince!.getTime()).toBe(failedAt.getTime());
  });
});

describe.each(testBackends())('search text kept by Postgres (%s)', (backend) => {
  let t: TestDatabase;
  let db: Database;
  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR);

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    db = t.handle.db;
    await syncFeeds(db, [feedSource('riyada', 'الرياضة اليوم', 'https://riyada.example/rss', { category: 'sport' })]);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("search follows an outlet's correction: the new headline and text are found, the old ones are not", async () => {
    const original = { ...item('riyada', 9, 'مباراة الذهاب تنتهي بالتعادل', 'انتهت مباراة الذهاب في جدة بالتعادل السلبي', at(1)), sourceDigest: 'a' };
    await storeItems(db, [original], singletonStoryAssigner, at(1));
    expect((await searchStories(db, searchTerms('التعادل جدة'), { limit: 10 })).map((r) => r.title)).toEqual(['مباراة الذهاب تنتهي بالتعادل']);
    const corrected = { ...original, title: 'مباراة الذهاب تنتهي بفوز الضيوف', contentHtml: '<p>انتهت مباراة الذهاب في الدمام بفوز الضيوف</p>', contentText: 'انتهت مباراة الذهاب في الدمام بفوز الضيوف', sourceDigest: 'b' };
    expect((await storeItems(db, [corrected], singletonStoryAssigner, at(0.5))).corrected).toBe(1);
    expect(await searchStories(db, searchTerms('التعادل جدة'), { limit: 10 })).toEqual([]);
    expect((await searchStories(db, searchTerms('الضيوف الدمام'), { limit: 10 })).map((r) => r.title)).toEqual(['مباراة الذهاب تنتهي بفوز الضيوف']);
  });
});

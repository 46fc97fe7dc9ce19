import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueFeeds } from '../../src/db/queries/claim-due-feeds.js';
import { loadPublishedStories } from '../../src/db/queries/load-published-stories.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { feeds, items, stories } from '../../src/db/schema.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import { singletonStoryAssigner, type StoryAssigner } from '../../src/pipeline/story-assigner.js';
import type { FeedSource } from '../../src/domain/feed-source.js';
import type { Item } from '../../src/domain/item.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

function source(id: string, overrides: Partial<FeedSource> = {}): FeedSource {
  return feedSource(id, `مصدر ${id}`, `http://127.0.0.1:9/${id}.xml`, overrides);
}

function item(feedId: string, n: number, overrides: Partial<Item> = {}): Item {
  const link = `https://example.com/news/${n}`;
  return {
    feedId,
    entryKey: link,
    guid: null,
    link,
    canonicalLink: link,
    title: `خبر رقم ${n}`,
    contentHtml: `<p>نص الخبر ${n}</p>`,
    contentText: `نص الخبر ${n}`,
    publishedAt: new Date(Date.UTC(2026, 0, 1, 0, n)),
    author: null,
    ...overrides,
  };
}

describe.each(testBackends())('storage on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('syncs feeds from the config and disables removed ones without deleting them', async () => {
    const { db } = t.handle;
    await syncFeeds(db, [source('a'), source('b'), source('gone')]);
    const result = await syncFeeds(db, [source('a'), source('b', { name: 'بي' })]);
    expect(result.disabled).toEqual(['gone']);
    const rows = await db.select().from(feeds).orderBy(feeds.id);
    expect(rows.map((r) => [r.id, r.enabled])).toEqual([
      ['a', true],
      ['b', true],
      ['gone', false],
    ]);
    expect(rows[1].name).toBe('بي');
  });

  it('stores each item once, gives every item a story, and ignores refetches', async () => {
    const { db } = t.handle;
    const first = await storeItems(db, [item('a', 1), item('a', 2)], singletonStoryAssigner);
    expect(first).toEqual({ inserted: 2, newStories: 2, joinedStories: 0, corrected: 0, storyIds: expect.any(Array) });
    const again = await storeItems(db, [item('a', 1), item('a', 2), item('a', 3)], singletonStoryAssigner);
    expect(again.inserted).toBe(1);
    const rows = await db.select().from(items).where(eq(items.feedId, 'a')).orderBy(items.id);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.storyId !== null)).toBe(true);
    // The stories each store changed (what a WebSub ping is derived from); nothing new, none.
    expect([...first.storyIds].sort()).toEqual([rows[0].storyId, rows[1].storyId].sort());
    expect(again.storyIds).toEqual([rows[2].storyId]);
    expect((await storeItems(db, [item('a', 1), item('a', 2), item('a', 3)], singletonStoryAssigner)).storyIds).toEqual([]);
  });

  it('treats one canonical link in two feeds as one item', async () => {
    const { db } = t.handle;
    const result = await storeItems(db, [item('b', 1, { entryKey: 'guid-in-b' })], singletonStoryAssigner);
    expect(result.inserted).toBe(0);
  });

  it('does not let a link shared by every entry of a feed merge distinct entries', async () => {
    const { db } = t.handle;
    const home = 'https://example.com/';
    const batch = [10, 11].map((n) =>
      item('b', n, { entryKey: `guid-${n}`, guid: `guid-${n}`, link: home, canonicalLink: home }),
    );
    const result = await storeItems(db, batch, singletonStoryAssigner);
    expect(result.inserted).toBe(2);
  });

  it('keeps an entry whose feed reuses a link it gave an earlier entry, without the link', async () => {
    const { db } = t.handle;
    const live = 'https://example.com/live';
    await storeItems(db, [item('b', 30, { entryKey: 'live-1', guid: 'live-1', link: live, canonicalLink: live })], singletonStoryAssigner);
    const later = await storeItems(db, [item('b', 31, { entryKey: 'live-2', guid: 'live-2', link: live, canonicalLink: live })], singletonStoryAssigner);
    expect(later.inserted).toBe(1);
    const [row] = await db.select().from(items).where(eq(items.entryKey, 'live-2'));
    expect(row.canonicalLink).toBeNull();
    expect(row.link).toBe(live);
    // The same entry again is still nothing new.
    expect((await storeItems(db, [item('b', 31, { entryKey: 'live-2', guid: 'live-2', link: live, canonicalLink: live })], singletonStoryAssigner)).inserted).toBe(0);
  });

  it('publishes stories newest first with their outlets', async () => {
    const { db } = t.handle;
    const rows = await loadPublishedStories(db, 2);
    expect(rows).toHaveLength(2);
    expect(rows[0].firstSeenAt.getTime()).toBeGreaterThanOrEqual(rows[1].firstSeenAt.getTime());
    expect(rows[0].sources[0].name).toMatch(/^مصدر|^بي/);
    const all = await db.select().from(stories);
    expect(all.length).toBe(7);
  });

  it('places items in stories: new, with an earlier item of the batch, or an existing story whose guid stays', async () => {
    const { db } = t.handle;
    const [existing] = await db.select().from(stories).orderBy(stories.id).limit(1);
    const assigner: StoryAssigner = {
      place: async (_db, rows) =>
        rows.map((row, i) =>
          i === 0 ? { kind: 'new' } : i === 1 ? { kind: 'with', itemId: rows[0].id } : { kind: 'existing', storyId: existing.id },
        ),
    };
    const batch = [20, 21, 22].map((n) => item('a', n, { contentText: 'نص '.repeat(n) }));
    const result = await storeItems(db, batch, assigner);
    expect(result).toEqual({ inserted: 3, newStories: 1, joinedStories: 2, corrected: 0, storyIds: expect.any(Array) });
    const rows = await db.select().from(items).where(inArray(items.entryKey, batch.map((b) => b.entryKey))).orderBy(items.id);
    expect(rows[0].storyId).toBe(rows[1].storyId);
    expect(rows[2].storyId).toBe(existing.id);
    expect([...result.storyIds].sort()).toEqual([rows[0].storyId, existing.id].sort());
    const [after] = await db.select().from(stories).where(eq(stories.id, existing.id));
    expect(after.guid).toBe(existing.guid);
    expect(after.itemCount).toBe(2);
    // The longer text represents the story (equal priorities).
    expect(after.representativeItemId).toBe(rows[2].id);
    expect(after.updatedAt.getTime()).toBeGreaterThan(existing.updatedAt.getTime());
  });

  it('places items with a stored item, with a batch item that joined one, and starts a story for an anchor without one', async () => {
    const { db } = t.handle;
    const [stored] = await storeItems(db, [item('a', 30)], singletonStoryAssigner).then(async () =>
      db.select().from(items).where(eq(items.entryKey, item('a', 30).entryKey)),
    );
    const assigner: StoryAssigner = {
      place: async (_db, rows) => [
        { kind: 'with', itemId: stored.id }, // 31: the stored item's story
        { kind: 'new' }, // 32
        { kind: 'with', itemId: rows[1].id }, // 33: the story 32 starts
        { kind: 'with', itemId: rows[0].id }, // 34: where 31 went, the stored item's story
        { kind: 'with', itemId: 999_999_999 }, // 35: no such item: a story of its own rather than lost
      ],
    };
    const batch = [31, 32, 33, 34, 35].map((n) => item('a', n));
    const result = await storeItems(db, batch, assigner);
    expect(result).toMatchObject({ inserted: 5, newStories: 2, joinedStories: 3 });
    const rows = await db.select().from(items).where(inArray(items.entryKey, batch.map((b) => b.entryKey))).orderBy(items.id);
    const storyOf = Object.fromEntries(rows.map((r) => [r.title.split(' ').pop(), r.storyId]));
    expect([storyOf['31'], storyOf['34']]).toEqual([stored.storyId, stored.storyId]);
    expect(storyOf['33']).toBe(storyOf['32']);
    expect(new Set([stored.storyId, storyOf['32'], storyOf['35']]).size).toBe(3);
    expect(rows.every((r) => r.storyId !== null)).toBe(true);
    const counts = await db.select({ id: stories.id, n: stories.itemCount }).from(stories).where(inArray(stories.id, [stored.storyId!, storyOf['32']!, storyOf['35']!]));
    expect(Object.fromEntries(counts.map((c) => [c.id, c.n]))).toEqual({ [stored.storyId!]: 3, [storyOf['32']!]: 2, [storyOf['35']!]: 1 });
    expect([...result.storyIds].sort()).toEqual([stored.storyId, storyOf['32'], storyOf['35']].sort());
  });

  it('lets a higher-priority feed represent a story even with a shorter text', async () => {
    const { db } = t.handle;
    await syncFeeds(db, [source('a'), source('b', { name: 'بي', priority: 5 }), source('gone', { enabled: false })]);
    const assigner: StoryAssigner = {
      place: async (_db, rows) => rows.map((row, i) => (i === 0 ? { kind: 'new' } : { kind: 'with', itemId: rows[0].id })),
    };
    const long = item('a', 40, { contentText: 'نص طويل '.repeat(50) });
    const short = item('b', 41, { contentText: 'نص قصير' });
    await storeItems(db, [long, short], assigner);
    const [stored] = await db.select().from(items).where(eq(items.entryKey, short.entryKey));
    const [story] = await db.select().from(stories).where(eq(stories.id, stored.storyId!));
    expect(story.representativeItemId).toBe(stored.id);
    expect(story.itemCount).toBe(2);
  });

  it('lets only one worker claim a feed at a time', async () => {
    const { db } = t.handle;
    const [x, y] = await Promise.all([
      claimDueFeeds(db, { limit: 10, leaseSeconds: 60 }),
      claimDueFeeds(db, { limit: 10, leaseSeconds: 60 }),
    ]);
    const ids = [...x, ...y].map((c) => c.feed.id).sort();
    expect(ids).toEqual(['a', 'b']); // disabled 'gone' is never claimed, and nothing twice
    expect(await claimDueFeeds(db, { limit: 10, leaseSeconds: 60 })).toEqual([]);
  });
});

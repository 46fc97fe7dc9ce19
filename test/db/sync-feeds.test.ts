import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { SYNC_FEEDS_CHUNK, syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { feeds, feedStates } from '../../src/db/schema.js';
import { testBackends, useTestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

describe.each(testBackends())('syncing feeds.yaml into the database (%s)', (backend) => {
  const t = useTestDatabase(backend);

  it('adds, updates, re-points and disables feeds as the file says, over more feeds than one statement takes', async () => {
    const db = t.current.handle.db;
    const many = Array.from({ length: SYNC_FEEDS_CHUNK + 200 }, (_, i) => feedSource(`f${i}`, `منفذ ${i}`, `http://127.0.0.1:9/${i}`));
    expect(await syncFeeds(db, many)).toEqual({ upserted: many.length, disabled: [] });
    const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(feeds).where(eq(feeds.enabled, true));
    const [{ states }] = await db.select({ states: sql<number>`count(*)::int` }).from(feedStates);
    expect({ n, states }).toEqual({ n: many.length, states: many.length });

    // Validators learned from fetching, on a feed in each chunk.
    for (const id of ['f1', `f${SYNC_FEEDS_CHUNK + 1}`, 'f2']) {
      await db.update(feedStates).set({ etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' }).where(eq(feedStates.feedId, id));
    }
    // The file changes: f1 and f{CHUNK+1} move to new URLs, f2 is renamed with a category and a priority, f3 is removed.
    const edited = many
      .filter((f) => f.id !== 'f3')
      .map((f) =>
        f.id === 'f1' || f.id === `f${SYNC_FEEDS_CHUNK + 1}`
          ? { ...f, url: `${f.url}/moved` }
          : f.id === 'f2'
            ? { ...f, name: 'اسم جديد', category: 'اقتصاد', priority: 5, fullText: true }
            : f,
      );
    expect(await syncFeeds(db, edited)).toEqual({ upserted: edited.length, disabled: ['f3'] });

    const state = async (id: string) => (await db.select().from(feedStates).where(eq(feedStates.feedId, id)))[0]!;
    const feed = async (id: string) => (await db.select().from(feeds).where(eq(feeds.id, id)))[0]!;
    for (const id of ['f1', `f${SYNC_FEEDS_CHUNK + 1}`]) {
      expect(await state(id)).toMatchObject({ etag: null, lastModified: null });
      expect((await feed(id)).url).toMatch(/\/moved$/);
    }
    expect(await state('f2')).toMatchObject({ etag: '"v1"' }); // same URL: its validators stay
    expect(await feed('f2')).toMatchObject({ name: 'اسم جديد', category: 'اقتصاد', priority: 5, fullText: true, enabled: true });
    expect(await feed('f3')).toMatchObject({ enabled: false });

    // Back in the file: enabled again, its state kept.
    expect(await syncFeeds(db, many)).toMatchObject({ disabled: [] });
    expect(await feed('f3')).toMatchObject({ enabled: true });
  });
});

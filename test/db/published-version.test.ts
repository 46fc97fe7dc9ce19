import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedVersion } from '../../src/db/queries/load-published-stories.js';
import { refreshStories } from '../../src/db/queries/story-membership.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { stories } from '../../src/db/schema.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import { singletonStoryAssigner } from '../../src/pipeline/story-assigner.js';
import { agencyCopy, reportItem } from '../helpers/agency-report.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

/**
 * Workers start their transaction, read ahead, and wait for the assignment lock while others commit. A story a worker
 * updates after such a wait must still move the feeds' version, or the served feeds keep the story as it was.
 * Two transactions at once: server Postgres only.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('the feeds version after a transaction that waited (postgres)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    await syncFeeds(t.handle.db, [feedSource('wire', 'الوكالة', 'https://wire.example/rss'), feedSource('daily', 'اليومية', 'https://daily.example/rss')]);
    await storeItems(t.handle.db, [reportItem('wire', 1, agencyCopy(), new Date(Date.now() - 3_600_000))], singletonStoryAssigner);
    await storeItems(t.handle.db, [reportItem('daily', 2, { ...agencyCopy(), title: 'خبر آخر' }, new Date(Date.now() - 1_800_000))], singletonStoryAssigner);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('moves when the later commit began earlier', async () => {
    const db = t.handle.db;
    const [first, second] = (await db.select({ id: stories.id }).from(stories).orderBy(stories.id)).map((s) => s.id);
    let resume!: () => void;
    const gate = new Promise<void>((r) => (resume = r));
    let started!: () => void;
    const began = new Promise<void>((r) => (started = r));
    const early = db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      started();
      await gate;
      await refreshStories(tx, [first!]);
    });
    await began;
    await new Promise((r) => setTimeout(r, 20));
    await db.transaction((tx) => refreshStories(tx, [second!]));
    const afterLater = await publishedVersion(db);
    resume();
    await early;
    expect(await publishedVersion(db)).not.toBe(afterLater);
  });
});

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPublishedStories } from '../../src/db/queries/load-published-stories.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { stories } from '../../src/db/schema.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import { agencyCopy, republishedCopy, reportItem } from '../helpers/agency-report.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

/** The daily's own headline for the agency's report, with every XML special in it. */
const dailyTitle = 'خطة المياه: "ثورة" & <تحديات>';

describe.each(testBackends())('loadPublishedStories on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [
      feedSource('wire', 'وكالة الأنباء', 'http://127.0.0.1:9/wire.xml'),
      feedSource('daily', 'الصحيفة اليومية', 'http://127.0.0.1:9/daily.xml'),
    ]);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("loads each member's own headline, link, outlet and time, the representative's first", async () => {
    const { db } = t.handle;
    // The real assigner, as the worker runs it: the daily's edited copy joins the agency's story.
    const assigner = createWorkerStoryAssigner(db, { windowHours: 72 });
    // An hour before now: the daily's undated copy counts at its fetch time (now), so a fixed date would fall out of the
    // 72-hour window as the calendar moves on.
    const published = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    await storeItems(db, [reportItem('wire', 1, agencyCopy(), published)], assigner);
    await storeItems(db, [reportItem('daily', 55, { ...republishedCopy(), title: dailyTitle }, null)], assigner);

    const rows = await loadPublishedStories(db, 10);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    const [story] = await db.select().from(stories).where(eq(stories.id, row.storyId));
    expect(row.sources[0].itemId).toBe(story.representativeItemId);
    expect(row.title).toBe(row.sources[0].title);
    expect(row.sources.map(({ feedId, name, title, link, publishedAt }) => ({ feedId, name, title, link, publishedAt }))).toEqual([
      { feedId: 'wire', name: 'وكالة الأنباء', title: agencyCopy().title, link: 'https://wire.example/news/1', publishedAt: published },
      { feedId: 'daily', name: 'الصحيفة اليومية', title: dailyTitle, link: 'https://daily.example/news/55', publishedAt: null },
    ]);
  });
});

import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../src/db/client.js';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { loadPublishedStories } from '../../src/db/queries/load-published-stories.js';
import { pruneOldStories } from '../../src/db/queries/prune-old-stories.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import { CLUSTER_LOCK_KEY } from '../../src/dedup/pg-candidate-index.js';
import { createLogger } from '../../src/logger.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import type { Item } from '../../src/domain/item.js';
import { refreshDueFeeds } from '../../src/worker/refresh-due-feeds.js';
import { startWorker } from '../../src/worker/schedule.js';
import { startFixtureServer } from '../helpers/fixture-server.js';
import { agencyCopy, republishedCopy, thirdReport, unrelatedReport, reportItem } from '../helpers/agency-report.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource, testRefreshDeps } from '../helpers/test-sources.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const item = reportItem;

/** Every stored row a story owns, by item link: what retention must delete entirely or leave entirely. */
interface Stored {
  stories: number;
  itemLinks: string[];
  /** Item links whose dedup entry exists, and how many index keys each has. */
  entryKeys: Map<string, number>;
}

async function stored(db: Database): Promise<Stored> {
  const [s] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from stories`);
  const links = await queryRows<{ link: string }>(db, sql`select link from items order by link`);
  const entries = await queryRows<{ link: string | null; keys: number }>(
    db,
    sql`select i.link, coalesce(cardinality(e.keys), 0) as keys
        from dedup_entries e left join items i on i.id::text = e.item_key order by i.link`,
  );
  return {
    stories: Number(s.n),
    itemLinks: links.map((r) => r.link),
    entryKeys: new Map(entries.map((e) => [e.link ?? '(no item)', Number(e.keys)])),
  };
}

async function storyOf(db: Database, link: string): Promise<number | null> {
  const [row] = await queryRows<{ story_id: string | number | null }>(db, sql`select story_id from items where link = ${link}`);
  return row?.story_id == null ? null : Number(row.story_id);
}

describe.each(testBackends())('pruning old stories (settings.retention_days), on %s', (backend) => {
  let t: TestDatabase;
  const now = Date.now();
  const before = new Date(now - 7 * DAY);

  beforeEach(async () => {
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [
      feedSource('wire', 'الوكالة', 'http://127.0.0.1:9/w'),
      feedSource('daily', 'اليومية', 'http://127.0.0.1:9/d'),
      feedSource('weekly', 'الأسبوعية', 'http://127.0.0.1:9/k'),
    ]);
  });
  afterEach(async () => {
    await t?.drop();
  });

  /** Through the store, as the worker does: one assigner over the Postgres dedup index. */
  async function store(batch: Item[], fetchedAt = new Date()): Promise<void> {
    await storeItems(t.handle.db, batch, createWorkerStoryAssigner(t.handle.db, { windowHours: 72 }), fetchedAt);
  }

  it('deletes a story whose newest item is older than `before`, with all its items and their dedup rows', async () => {
    const { db } = t.handle;
    await store([item('wire', 1, agencyCopy(), new Date(now - 10 * DAY)), item('daily', 2, republishedCopy(), new Date(now - 9 * DAY))]);
    await store([item('weekly', 3, unrelatedReport(), new Date(now - HOUR))]);
    const oldStory = await storyOf(db, 'https://wire.example/news/1');
    expect(await storyOf(db, 'https://daily.example/news/2')).toBe(oldStory); // the copies merged
    const was = await stored(db);
    expect(was.stories).toBe(2);
    expect(was.entryKeys.get('https://wire.example/news/1')).toBeGreaterThan(0);

    expect(await pruneOldStories(db, before)).toEqual({ stories: 1, items: 2, more: false });

    const is = await stored(db);
    expect(is.stories).toBe(1);
    expect(is.itemLinks).toEqual(['https://weekly.example/news/3']);
    expect([...is.entryKeys.keys()]).toEqual(['https://weekly.example/news/3']);
    expect(is.entryKeys.get('https://weekly.example/news/3')).toBe(was.entryKeys.get('https://weekly.example/news/3'));
    const [gone] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from stories where id = ${oldStory}`);
    expect(Number(gone.n)).toBe(0);
    // Nothing left to do: a second run deletes nothing.
    expect(await pruneOldStories(db, before)).toEqual({ stories: 0, items: 0, more: false });
  });

  it('keeps a story whole when an outlet joined it after `before`, though its first item is older', async () => {
    const { db } = t.handle;
    await store([item('wire', 1, agencyCopy(), new Date(now - 8 * DAY))]);
    await store([item('daily', 2, republishedCopy(), new Date(now - 6 * DAY))]); // two days later: within the window
    await store([item('weekly', 3, unrelatedReport(), new Date(now - 9 * DAY))]);
    const kept = await storyOf(db, 'https://wire.example/news/1');
    expect(await storyOf(db, 'https://daily.example/news/2')).toBe(kept);
    const was = await stored(db);

    expect(await pruneOldStories(db, before)).toEqual({ stories: 1, items: 1, more: false });

    const is = await stored(db);
    expect(is.itemLinks).toEqual(['https://daily.example/news/2', 'https://wire.example/news/1']);
    for (const link of is.itemLinks) expect(is.entryKeys.get(link)).toBe(was.entryKeys.get(link));
    expect(is.entryKeys.has('https://weekly.example/news/3')).toBe(false);
    const [story] = await queryRows<{ item_count: number; representative_item_id: string | null }>(
      db,
      sql`select item_count, representative_item_id from stories where id = ${kept}`,
    );
    expect(Number(story.item_count)).toBe(2);
    expect(story.representative_item_id).not.toBeNull();
  });

  it('takes an item’s time as the store does: publication time, never after the fetch, else the fetch time', async () => {
    const { db } = t.handle;
    const fetchedLongAgo = new Date(now - 10 * DAY);
    // Post-dated by its feed: counts from when it was fetched (old). No date at all: the fetch time (old).
    await store([item('wire', 1, thirdReport(), new Date(now + DAY)), item('daily', 2, unrelatedReport(), null)], fetchedLongAgo);
    // Fetched today, published recently: kept.
    await store([item('weekly', 3, agencyCopy(), new Date(now - DAY))]);

    expect(await pruneOldStories(db, before)).toEqual({ stories: 2, items: 2, more: false });
    expect((await stored(db)).itemLinks).toEqual(['https://weekly.example/news/3']);
  });

  it('removes the pruned story from the published feed and keeps the others', async () => {
    const { db } = t.handle;
    await store([item('wire', 1, agencyCopy(), new Date(now - 20 * DAY)), item('daily', 2, republishedCopy(), new Date(now - 19 * DAY))]);
    await store([item('wire', 3, unrelatedReport(), new Date(now - 8 * DAY))]);
    await store([item('weekly', 4, thirdReport(), new Date(now - 2 * DAY)), item('daily', 5, unrelatedReport(), new Date(now - 6 * DAY))]);
    const published = await loadPublishedStories(db, 50);
    expect(published.map((s) => s.title)).toEqual([thirdReport().title, unrelatedReport().title, agencyCopy().title]);
    const guids = new Map(published.map((s) => [s.title, s.guid]));

    expect(await pruneOldStories(db, before)).toEqual({ stories: 1, items: 2, more: false });

    const after = await loadPublishedStories(db, 50);
    expect(after.map((s) => s.guid)).toEqual([guids.get(thirdReport().title), guids.get(unrelatedReport().title)]);
    // The report republished six days ago kept its story and both outlets, the eight-day-old one included.
    expect(after[1].sources.map((s) => s.feedId).sort()).toEqual(['daily', 'wire']);
  });

  it('does not store again an undated or post-dated entry it deleted, when its feed still lists it', async () => {
    const { db } = t.handle;
    const fetchedLongAgo = new Date(now - 10 * DAY);
    const undated = item('wire', 1, thirdReport(), null);
    const postDated = item('daily', 2, unrelatedReport(), new Date(now + DAY));
    await store([undated, postDated], fetchedLongAgo);
    expect(await pruneOldStories(db, before)).toEqual({ stories: 2, items: 2, more: false });

    // The next fetches of both feeds still carry them, next to a genuinely new entry.
    const fresh = item('wire', 3, agencyCopy(), null);
    const result = await storeItems(db, [undated, fresh], createWorkerStoryAssigner(db, { windowHours: 72 }));
    await store([postDated]);
    expect(result.inserted).toBe(1);
    expect((await stored(db)).itemLinks).toEqual(['https://wire.example/news/3']);
  });

  it('moves the published feed\'s change marker when it deletes, so cached feeds drop the story', async () => {
    const { db } = t.handle;
    await store([item('wire', 1, agencyCopy(), new Date(now - 10 * DAY))]);
    await store([item('weekly', 3, unrelatedReport(), new Date(now - HOUR))]);
    const feedStore = createDbFeedStore(db, { title: 'خبر', description: '', language: 'ar', publicUrl: 'http://khabar.test' });
    const v1 = await feedStore.version();
    expect(await pruneOldStories(db, before)).toEqual({ stories: 1, items: 1, more: false });
    const v2 = await feedStore.version();
    expect(v2).not.toBe(v1);
    // Nothing deleted: the marker stays.
    await pruneOldStories(db, before);
    expect(await feedStore.version()).toBe(v2);
  });

  it('is matched at refresh: entries published before the retention are not stored at all', async () => {
    const rfc = (d: Date) => d.toUTCString();
    const feed = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link><description>d</description>
      <item><title>${agencyCopy().title}</title><link>https://wire.example/news/old</link><pubDate>${rfc(new Date(now - 10 * DAY))}</pubDate><description><![CDATA[${agencyCopy().html}]]></description></item>
      <item><title>${thirdReport().title}</title><link>https://wire.example/news/new</link><pubDate>${rfc(new Date(now - HOUR))}</pubDate><description><![CDATA[${thirdReport().html}]]></description></item>
      </channel></rss>`;
    const server = await startFixtureServer({ '/wire.xml': { body: feed, contentType: 'application/rss+xml; charset=utf-8' } });
    try {
      await syncFeeds(t.handle.db, [feedSource('wire', 'الوكالة', server.url('/wire.xml'))]);
      const deps = testRefreshDeps(t.handle.db);
      await refreshDueFeeds({ ...deps, options: { ...deps.options, retentionDays: 7 } }, { concurrency: 1, ignoreSchedule: true, feedIds: ['wire'] });
      expect((await stored(t.handle.db)).itemLinks).toEqual(['https://wire.example/news/new']);
    } finally {
      await server.close();
    }
  });

  it('works in batches of stories, each its own transaction', async () => {
    const { db } = t.handle;
    await store([item('wire', 1, agencyCopy(), new Date(now - 30 * DAY))]);
    await store([item('wire', 2, unrelatedReport(), new Date(now - 20 * DAY))]);
    await store([item('wire', 3, thirdReport(), new Date(now - 10 * DAY))]);
    await store([item('daily', 4, republishedCopy(), new Date(now - HOUR))]);

    expect(await pruneOldStories(db, before, { batchStories: 1 })).toEqual({ stories: 3, items: 3, more: false });
    expect((await stored(db)).itemLinks).toEqual(['https://daily.example/news/4']);

    const stopped = new AbortController();
    stopped.abort();
    await store([item('weekly', 5, thirdReport(), new Date(now - 9 * DAY))]);
    expect(await pruneOldStories(db, before, { signal: stopped.signal })).toEqual({ stories: 0, items: 0, more: true });
    expect((await stored(db)).stories).toBe(2);
    // Out of budget after the first batch: it says there is more, and the next run finishes.
    await store([item('weekly', 6, agencyCopy(), new Date(now - 12 * DAY))]);
    expect(await pruneOldStories(db, before, { batchStories: 1, budgetMs: 0 })).toEqual({ stories: 0, items: 0, more: true });
    // The budget runs out after one batch: one story deleted, and it says more are left.
    let ms = 0;
    expect(await pruneOldStories(db, before, { batchStories: 1, budgetMs: 5, clock: () => (ms += 4) })).toEqual({ stories: 1, items: 1, more: true });
    expect(await pruneOldStories(db, before, { batchStories: 1 })).toEqual({ stories: 1, items: 1, more: false });
  });

  it.skipIf(backend === 'pglite')('does not let a refresh bring back an entry pruned while it was being stored', async () => {
    const { db } = t.handle;
    const undated = item('wire', 1, thirdReport(), null);
    await store([undated], new Date(now - 10 * DAY));
    // Retention's batch, held open after deleting the entry and remembering it (as pruneOldStories does, under the
    // assignment lock), while a refresh stores the same entry again: its insert waits on the row being deleted.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let deleted!: () => void;
    const inPrune = new Promise<void>((resolve) => (deleted = resolve));
    const prune = db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
      await tx.execute(sql`with removed as (delete from items where entry_key = ${undated.entryKey} returning feed_id, entry_key)
                           insert into pruned_entries (feed_id, entry_key) select feed_id, entry_key from removed`);
      deleted();
      await held;
    });
    await inPrune;
    const storing = storeItems(db, [undated], createWorkerStoryAssigner(db, { windowHours: 72 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await prune;
    expect((await storing).inserted).toBe(0);
    expect((await stored(db)).itemLinks).toEqual([]);
  });

  it.skipIf(backend === 'pglite')('returns null while another process is pruning', async () => {
    const { db } = t.handle;
    await store([item('wire', 1, agencyCopy(), new Date(now - 10 * DAY))]);
    // Hold the assignment lock (a store in progress): the first prune takes the retention lock, then waits on it.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const storeInProgress = db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_LOCK_KEY})`);
      holding();
      await released;
    });
    await held;
    const first = pruneOldStories(db, before);
    try {
      for (let waited = 0; ; waited += 20) {
        const [w] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from pg_locks
              where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`);
        if (Number(w.n) > 0) break;
        if (waited > 5000) throw new Error('the first prune never reached the assignment lock');
        await new Promise((r) => setTimeout(r, 20));
      }
      // Answered at once, not after the first one: it must not queue behind it.
      const second = await Promise.race([pruneOldStories(db, before), new Promise((r) => setTimeout(() => r('still waiting'), 3000))]);
      expect(second).toBeNull();
    } finally {
      release();
      await storeInProgress;
    }
    expect(await first).toEqual({ stories: 1, items: 1, more: false });
  });

  it("is run by the worker's hourly maintenance when retentionDays is set, and not otherwise", async () => {
    const { db } = t.handle;
    await store([item('wire', 1, agencyCopy(), new Date(now - 10 * DAY)), item('daily', 2, republishedCopy(), new Date(now - 9 * DAY))]);
    await store([item('weekly', 3, unrelatedReport(), new Date(now - HOUR))]);
    const was = await stored(db);

    async function onePass(retentionDays: number | null): Promise<Array<Record<string, unknown>>> {
      const lines: Array<Record<string, unknown>> = [];
      const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
      const worker = startWorker(
        { ...testRefreshDeps(db), logger },
        { schedule: '0 0 1 1 *', concurrency: 1, dedupWindowHours: 72, retentionDays, runAtStart: false },
      );
      try {
        await worker.runPass();
      } finally {
        await worker.stop();
      }
      return lines;
    }

    const unset = await onePass(null);
    expect(unset.some((l) => l.msg === 'old stories pruned')).toBe(false);
    const untouched = await stored(db);
    expect(untouched.stories).toBe(was.stories);
    expect(untouched.itemLinks).toEqual(was.itemLinks);
    expect([...untouched.entryKeys.keys()]).toEqual([...was.entryKeys.keys()]);

    const set = await onePass(7);
    const line = set.find((l) => l.msg === 'old stories pruned');
    expect(line).toMatchObject({ stories: 1, items: 2, level: 30 });
    expect(new Date(line!.before as string).getTime()).toBeCloseTo(Date.now() - 7 * DAY, -5);
    expect((await stored(db)).itemLinks).toEqual(['https://weekly.example/news/3']);
  });
});

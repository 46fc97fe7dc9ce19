import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { queryRows, type Database } from '../../src/db/client.js';
import { publishedVersion } from '../../src/db/queries/load-published-stories.js';
import { pruneOldStories } from '../../src/db/queries/prune-old-stories.js';
import { loadStoryMembers, mergeStories, mergedInto, splitStory } from '../../src/db/queries/story-overrides.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { items, stories, storyOverrides } from '../../src/db/schema.js';
import { createWorkerStoryAssigner } from '../../src/dedup/create-worker-story-assigner.js';
import { FINGERPRINT_VERSION } from '../../src/dedup/fingerprint.js';
import { reindexStaleEntries } from '../../src/dedup/reindex-stale-entries.js';
import { isKhabarError } from '../../src/errors.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/logger.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import { agencyCopy, republishedCopy, reportItem, unrelatedReport } from '../helpers/agency-report.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

const HOUR = 3_600_000;
const OUTLETS = ['wire', 'daily', 'weekly', 'radio', 'tv', 'blog'];

/** The daily's copy again, under another outlet's headline: it matches the daily's copy best (the same text). */
const dailyReprint = () => ({ ...republishedCopy(), title: 'الوزراء العرب يتفقون على خطة للمياه' });

describe.each(testBackends())('story split and merge (%s)', (backend) => {
  let t: TestDatabase;
  let db: Database;
  const now = Date.now();
  const store = (feedId: string, n: number, copy: { title: string; html: string }, hoursAgo: number) =>
    storeItems(db, [reportItem(feedId, n, copy, new Date(now - hoursAgo * HOUR))], createWorkerStoryAssigner(db, { windowHours: 72 }));
  const itemId = async (feedId: string, n: number) =>
    (await db.select({ id: items.id }).from(items).where(eq(items.link, `https://${feedId}.example/news/${n}`)))[0].id;
  const storyOf = async (feedId: string, n: number) =>
    (await db.select({ storyId: items.storyId }).from(items).where(eq(items.link, `https://${feedId}.example/news/${n}`)))[0].storyId!;

  /** Every item's story, and every entry's dedup part, by item link: what a reindex must leave alone. */
  async function membership(): Promise<Record<string, { story: number; part: string | null }>> {
    const rows = await queryRows<{ link: string; story_id: string | number; story_key: string | null }>(
      db,
      sql`select i.link, i.story_id, e.story_key from items i left join dedup_entries e on e.item_key = i.id::text order by i.id`,
    );
    return Object.fromEntries(rows.map((r) => [r.link, { story: Number(r.story_id), part: r.story_key }]));
  }

  /** The index agrees with the stories: each entry's part root is an item of the entry's own story. */
  async function expectIndexAgrees(): Promise<void> {
    const disagreeing = await queryRows<{ item_key: string }>(
      db,
      sql`select e.item_key from dedup_entries e join items i on i.id::text = e.item_key join items root on root.id::text = e.story_key
          where root.story_id is distinct from i.story_id`,
    );
    expect(disagreeing).toEqual([]);
    const rootless = await queryRows<{ item_key: string }>(
      db,
      sql`select e.item_key from dedup_entries e where not exists (select 1 from items root where root.id::text = e.story_key)`,
    );
    expect(rootless).toEqual([]);
  }

  /** What an upgrade that changes fingerprints does: every entry stale, then the reindex the worker runs. */
  async function reindexAll(): Promise<void> {
    await db.execute(sql`update dedup_entries set fingerprint_version = ${FINGERPRINT_VERSION - 1}`);
    const done = await reindexStaleEntries(db, { since: new Date(now - 144 * HOUR) });
    expect(done.reindexed).toBeGreaterThan(0);
  }

  async function codeOf(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (err) {
      if (isKhabarError(err)) return `${err.code}: ${err.message}`;
      throw err;
    }
    throw new Error('expected a KhabarError');
  }

  beforeEach(async () => {
    t = await createTestDatabase(backend);
    db = t.handle.db;
    await syncFeeds(db, OUTLETS.map((id) => feedSource(id, `منفذ ${id}`, `http://127.0.0.1:9/${id}.xml`)));
    // One story: the agency's report, the daily's copy (it matched the agency's), a reprint of the daily's copy (it
    // matched the daily's: the same text). And another report in a story of its own.
    await store('wire', 1, agencyCopy(), 5);
    await store('daily', 2, republishedCopy(), 4);
    await store('weekly', 3, dailyReprint(), 3);
    await store('radio', 4, unrelatedReport(), 3);
  });
  afterEach(async () => {
    await t?.drop();
  });

  it('records what each item joined through', async () => {
    const story = await storyOf('wire', 1);
    expect(await storyOf('weekly', 3)).toBe(story);
    const { members } = await loadStoryMembers(db, story);
    expect(members.map((m) => [m.feedId, m.first, m.joinedThrough])).toEqual([
      ['wire', true, null],
      ['daily', false, await itemId('wire', 1)],
      ['weekly', false, await itemId('daily', 2)],
    ]);
  });

  it('a split moves the item and what joined through it, and survives a reindex', async () => {
    const original = await storyOf('wire', 1);
    const [before] = await db.select().from(stories).where(eq(stories.id, original));
    const daily = await itemId('daily', 2);
    const result = await splitStory(db, original, daily);
    expect(result.movedItemIds).toEqual([daily, await itemId('weekly', 3)]);
    expect(result.remaining).toBe(1);
    const split = result.newStoryId;
    expect([await storyOf('wire', 1), await storyOf('daily', 2), await storyOf('weekly', 3)]).toEqual([original, split, split]);

    const [left] = await db.select().from(stories).where(eq(stories.id, original));
    const [made] = await db.select().from(stories).where(eq(stories.id, split));
    expect(left.guid, 'the story keeps its guid').toBe(before.guid);
    expect(left.itemCount).toBe(1);
    expect(left.representativeItemId).toBe(await itemId('wire', 1));
    expect(made.guid).toBe(result.newGuid);
    expect(made.itemCount).toBe(2);
    expect(made.representativeItemId).toBe(daily);
    expect(made.firstSeenAt.getTime()).toBe(now - 4 * HOUR);
    expect(left.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    await expectIndexAgrees();
    const [override] = await db.select().from(storyOverrides);
    expect(override).toMatchObject({ kind: 'split', storyId: original, itemId: daily, splitStoryId: split });

    const after = await membership();
    await reindexAll();
    expect(await membership()).toEqual(after);

    // After the reindex, later copies go where the operator put their report: the daily's text with the split group,
    // the agency's with the story it left.
    await store('radio', 5, { ...republishedCopy(), title: 'خطة مائية عربية' }, 2);
    await store('tv', 6, { ...agencyCopy(), title: 'اتفاق عربي على الأمن المائي' }, 1);
    expect(await storyOf('radio', 5)).toBe(split);
    expect(await storyOf('tv', 6)).toBe(original);
    await expectIndexAgrees();
  });

  it('--alone moves only the item; splitting a story\'s first item re-roots what stays', async () => {
    const original = await storyOf('wire', 1);
    const wire = await itemId('wire', 1);
    const result = await splitStory(db, original, wire, { alone: true });
    expect(result.movedItemIds).toEqual([wire]);
    expect(await storyOf('daily', 2)).toBe(original);
    expect(await storyOf('weekly', 3)).toBe(original);
    const parts = await membership();
    expect(parts['https://daily.example/news/2'].part).toBe(String(await itemId('daily', 2)));
    expect(parts['https://weekly.example/news/3'].part).toBe(String(await itemId('daily', 2)));
    await expectIndexAgrees();
    const [left] = await db.select().from(stories).where(eq(stories.id, original));
    // Its first item left: the story's time is now its earliest remaining member's.
    expect(left.firstSeenAt.getTime()).toBe(now - 4 * HOUR);
    expect(left.representativeItemId).toBe(await itemId('daily', 2));
    // A new copy of the agency's text matches the agency's item best: it goes there, not to the story it left.
    await store('tv', 6, { ...agencyCopy(), title: 'اتفاق عربي على الأمن المائي' }, 1);
    expect(await storyOf('tv', 6)).toBe(result.newStoryId);
  });

  it('a merge joins two stories and survives a reindex; the merged id leads to the story kept', async () => {
    const kept = await storyOf('wire', 1);
    const other = await storyOf('radio', 4);
    const [gone] = await db.select().from(stories).where(eq(stories.id, other));
    const result = await mergeStories(db, kept, other);
    expect(result).toMatchObject({ storyId: kept, mergedStoryId: other, mergedGuid: gone.guid, movedItemIds: [await itemId('radio', 4)], itemCount: 4 });
    expect(await storyOf('radio', 4)).toBe(kept);
    expect(await db.select().from(stories).where(eq(stories.id, other))).toEqual([]);
    expect(await mergedInto(db, other)).toBe(kept);
    await expectIndexAgrees();

    const after = await membership();
    await reindexAll();
    expect(await membership()).toEqual(after);

    // New copies of either report land in the one story.
    await store('tv', 6, { ...unrelatedReport(), title: 'محطة شمسية عملاقة في المغرب' }, 1);
    await store('blog', 7, { ...agencyCopy(), title: 'اتفاق عربي على الأمن المائي' }, 1);
    expect(await storyOf('tv', 6)).toBe(kept);
    expect(await storyOf('blog', 7)).toBe(kept);
    const [story] = await db.select().from(stories).where(eq(stories.id, kept));
    expect(story.itemCount).toBe(6);
  });

  it('a merge of the two sides of a split undoes it; overrides of a merged story follow it', async () => {
    const original = await storyOf('wire', 1);
    const { newStoryId } = await splitStory(db, original, await itemId('daily', 2));
    const radio = await storyOf('radio', 4);
    // The split story is merged into another, then that one back into the original.
    await mergeStories(db, radio, newStoryId);
    expect(await db.select({ storyId: storyOverrides.storyId, split: storyOverrides.splitStoryId }).from(storyOverrides).where(eq(storyOverrides.kind, 'split'))).toEqual([
      { storyId: original, split: radio },
    ]);
    const back = await mergeStories(db, original, radio);
    expect(back.undoneSplits).toBe(1);
    expect(await db.select().from(storyOverrides).where(eq(storyOverrides.kind, 'split'))).toEqual([]);
    // Both merged ids lead to the story that holds their items now.
    expect(await mergedInto(db, newStoryId)).toBe(original);
    expect(await mergedInto(db, radio)).toBe(original);
    await expectIndexAgrees();
  });

  it('the feeds follow: the version moves, the split story is a new entry, the merged one is gone and redirects', async () => {
    const feedStore = createDbFeedStore(db, { title: 'خبر', description: '', language: 'ar', publicUrl: 'http://khabar.test' });
    const app = createApp({ feedStore, logger: silentLogger(), config: { publicUrl: 'http://khabar.test', feedTitle: 'خبر', cacheSeconds: 0 } });
    type JsonFeed = { items: Array<{ id: string; _khabar: { sources: Array<{ url: string }> } }> };
    const feed = async () => ((await (await app.request('/feed.json')).json()) as JsonFeed).items;
    const outlets = (f: JsonFeed['items']) => f.map((i) => i._khabar.sources.map((s) => new URL(s.url).hostname.split('.')[0]).sort().join(' ')).sort();
    expect(outlets(await feed())).toEqual(['daily weekly wire', 'radio']);

    const v0 = await publishedVersion(db);
    const original = await storyOf('wire', 1);
    const { newStoryId, newGuid } = await splitStory(db, original, await itemId('daily', 2));
    const v1 = await publishedVersion(db);
    expect(v1).not.toBe(v0);
    const split = await feed();
    expect(outlets(split)).toEqual(['daily weekly', 'radio', 'wire']);
    expect(split.map((i) => i.id)).toContain(`urn:uuid:${newGuid}`);
    expect((await app.request(`/stories/${newStoryId}`)).status).toBe(200);

    const radio = await storyOf('radio', 4);
    await mergeStories(db, original, radio);
    expect(await publishedVersion(db)).not.toBe(v1);
    expect(outlets(await feed())).toEqual(['daily weekly', 'radio wire']);
    const redirect = await app.request(`/stories/${radio}`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe(`http://khabar.test/stories/${original}`);
    expect((await app.request('/stories/99999')).status).toBe(404);
  });

  it('refuses, with a code, an unknown story, an item of another story, a story with itself, a split of the whole story', async () => {
    const story = await storyOf('wire', 1);
    const radio = await storyOf('radio', 4);
    const radioItem = await itemId('radio', 4);
    expect(await codeOf(splitStory(db, 99999, radioItem))).toBe('STORY_NOT_FOUND: no story 99999');
    expect(await codeOf(mergeStories(db, story, 99999))).toBe('STORY_NOT_FOUND: no story 99999');
    expect(await codeOf(splitStory(db, story, radioItem))).toBe(`STORY_ITEM_NOT_IN_STORY: item ${radioItem} is not in story ${story} (it is in story ${radio})`);
    expect(await codeOf(splitStory(db, story, 99999))).toBe(`STORY_ITEM_NOT_IN_STORY: item 99999 is not in story ${story} (no item has this id)`);
    expect(await codeOf(mergeStories(db, story, story))).toBe(`STORY_MERGE_SELF: cannot merge story ${story} with itself`);
    expect(await codeOf(splitStory(db, radio, radioItem))).toBe(`STORY_SPLIT_WHOLE: story ${radio} has only item ${radioItem}: nothing to split`);
    expect(await codeOf(splitStory(db, story, await itemId('wire', 1)))).toMatch(/^STORY_SPLIT_WHOLE: every item of story \d+ joined through item \d+/);
    await mergeStories(db, story, radio);
    expect(await codeOf(mergeStories(db, story, radio))).toBe(`STORY_NOT_FOUND: no story ${radio}: it was merged into story ${story}`);
    // Nothing half-done by the refusals.
    expect(await db.select().from(storyOverrides)).toHaveLength(1);
    await expectIndexAgrees();
  });

  it('retention deletes the overrides of the stories it deletes', async () => {
    const { newStoryId } = await splitStory(db, await storyOf('wire', 1), await itemId('daily', 2));
    await mergeStories(db, newStoryId, await storyOf('radio', 4));
    await pruneOldStories(db, new Date(now + HOUR));
    expect(await db.select().from(stories)).toEqual([]);
    expect(await db.select().from(storyOverrides)).toEqual([]);
  });
});

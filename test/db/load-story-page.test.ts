import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStoryPage } from '../../src/db/queries/load-story-page.js';
import { stories } from '../../src/db/schema.js';
import { fixtureReports, fixtureStoryId, seedFixtureStories } from '../helpers/story-fixtures.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';

describe.each(testBackends())('loadStoryPage (%s)', (backend) => {
  let t: TestDatabase;
  let storyOf: (reportKey: string) => Promise<number>;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await seedFixtureStories(t.handle.db, { filler: 2 });
    storyOf = (key) => fixtureStoryId(t.handle.db, key, fixtureReports.find((r) => r.key === key)!.copies[0]!.feedId);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('gives the story with every copy, the representative first, then in publication order', async () => {
    const id = await storyOf('health');
    const page = (await loadStoryPage(t.handle.db, id))!;
    const [head] = await t.handle.db.select().from(stories).where(eq(stories.id, id));
    expect(page.storyId).toBe(id);
    expect(page.representativeItemId).toBe(head!.representativeItemId);
    expect(page.members[0]!.itemId).toBe(head!.representativeItemId);
    expect(page.members.map((m) => m.feedId).sort()).toEqual(['sabah', 'wakala', 'yawmiya']);
    const rest = page.members.slice(1).map((m) => m.publishedAt!.getTime());
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
    expect(page.memberCount).toBe(3);
    expect(page.outletCount).toBe(3);
    const wakala = page.members.find((m) => m.feedId === 'wakala')!;
    expect(wakala).toMatchObject({ outlet: 'وكالة الأنباء العربية', title: fixtureReports[1]!.copies[0]!.title, link: 'https://wakala.example/news/health' });
    expect(wakala.contentText.split('\n')).toHaveLength(3);
    expect(wakala.fetchedAt).toBeInstanceOf(Date);
  });

  it('loads at most the given number of copies but counts them all, the representative always among them', async () => {
    const id = await storyOf('water');
    const page = (await loadStoryPage(t.handle.db, id, 1))!;
    expect(page.members.map((m) => m.itemId)).toEqual([page.representativeItemId]);
    expect(page.memberCount).toBe(3);
    expect(page.outletCount).toBe(3);
  });

  it('falls back to publication order when the representative is gone', async () => {
    const id = await storyOf('football');
    await t.handle.db.update(stories).set({ representativeItemId: null }).where(eq(stories.id, id));
    const page = (await loadStoryPage(t.handle.db, id))!;
    expect(page.representativeItemId).toBeNull();
    expect(page.members.map((m) => m.feedId)).toEqual(['riyada', 'yawmiya', 'sabah']);
  });

  it('is null for an id no story has, and for a story with no copies left', async () => {
    expect(await loadStoryPage(t.handle.db, 9_000_000)).toBeNull();
    const [empty] = await t.handle.db.insert(stories).values({}).returning({ id: stories.id });
    expect(await loadStoryPage(t.handle.db, empty!.id)).toBeNull();
  });
});

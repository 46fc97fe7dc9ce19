import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedHealthLine } from '../../src/run-cli.js';
import { loadFeedHealth } from '../../src/db/queries/load-feed-health.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import { feedStates } from '../../src/db/schema.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import { singletonStoryAssigner } from '../../src/pipeline/story-assigner.js';
import { agencyParagraphs, reportItem } from '../helpers/agency-report.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

describe.each(testBackends())('feed health for `khabar status` (%s)', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
    await syncFeeds(t.handle.db, [
      feedSource('leads', 'مقتطفات', 'http://127.0.0.1:9/l'),
      feedSource('articles', 'مقالات', 'http://127.0.0.1:9/a'),
      feedSource('leads-full', 'مقتطفات كاملة', 'http://127.0.0.1:9/f', { fullText: true }),
      feedSource('empty', 'فارغ', 'http://127.0.0.1:9/e'),
    ]);
    const lead = agencyParagraphs[0]!; // 36 words
    const article = agencyParagraphs.join(' '); // 124 words
    const batch = (feedId: string, text: string) =>
      Array.from({ length: 6 }, (_, n) => reportItem(feedId, n, { title: `خبر ${n}`, html: `<p>${text} ${'كلمة '.repeat(n)}</p>` }, new Date()));
    for (const [feedId, text] of [['leads', lead], ['articles', article], ['leads-full', lead]] as const) {
      await storeItems(t.handle.db, batch(feedId, text), singletonStoryAssigner);
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('counts each feed’s items and the typical length of their text', async () => {
    const byId = new Map((await loadFeedHealth(t.handle.db)).map((r) => [r.id, r]));
    const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
    expect(byId.get('leads')).toMatchObject({ items: 6, typicalWords: words(agencyParagraphs[0]!) + 2, fullText: false });
    expect(byId.get('articles')).toMatchObject({ items: 6, typicalWords: words(agencyParagraphs.join(' ')) + 2 });
    expect(byId.get('empty')).toMatchObject({ items: 0, typicalWords: null });
  });

  it('suggests full_text for a feed of leads only, and not once it is on', async () => {
    const byId = new Map((await loadFeedHealth(t.handle.db)).map((r) => [r.id, feedHealthLine(r)]));
    expect(byId.get('leads')).toMatch(/6 items, ~\d+ words each \(leads only: full_text: true would store the articles\)/);
    expect(byId.get('articles')).not.toMatch(/leads only/);
    expect(byId.get('leads-full')).toMatch(/, full_text$/);
    expect(byId.get('empty')).toMatch(/\t0 items$/);
  });

  it('names the process holding a lease in force, and not an expired one', async () => {
    const setLease = (feedId: string, until: ReturnType<typeof sql>, owner: string | null) =>
      t.handle.db.update(feedStates).set({ leaseUntil: until, leaseOwner: owner }).where(eq(feedStates.feedId, feedId));
    await setLease('empty', sql`now() + interval '4 minutes'`, 'news-2:4242');
    await setLease('articles', sql`now() - interval '1 minute'`, 'gone:1');
    await setLease('leads', sql`now() + interval '4 minutes'`, null);
    try {
      const rows = new Map((await loadFeedHealth(t.handle.db)).map((r) => [r.id, r]));
      const empty = rows.get('empty')!;
      expect(empty.leaseOwner).toBe('news-2:4242');
      expect(empty.leaseUntil!.getTime()).toBeGreaterThan(Date.now() + 3 * 60_000);
      expect(rows.get('articles')).toMatchObject({ leaseOwner: null, leaseUntil: null });
      const until = empty.leaseUntil!.toISOString().replace(/\.\d{3}Z$/, 'Z');
      expect(feedHealthLine(empty)).toMatch(new RegExp(`\t0 items, leased by news-2:4242 until ${until}$`));
      expect(feedHealthLine(rows.get('articles')!)).not.toMatch(/leased/);
      expect(feedHealthLine(rows.get('leads')!)).toMatch(/, leased by an older khabar release \(owner not recorded\) until /);
    } finally {
      await t.handle.db.update(feedStates).set({ leaseUntil: null, leaseOwner: null });
    }
  });
});

import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbFeedStore } from '../../src/create-db-feed-store.js';
import { recordFetchOutcome } from '../../src/db/queries/record-fetch-outcome.js';
import { syncFeeds } from '../../src/db/queries/sync-feeds.js';
import type { Item } from '../../src/domain/item.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/logger.js';
import { storeItems } from '../../src/pipeline/store-items.js';
import { singletonStoryAssigner } from '../../src/pipeline/story-assigner.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/test-db.js';
import { feedSource } from '../helpers/test-sources.js';

function item(feedId: string, n: number, title: string, text: string, publishedAt: Date): Item {
  const link = `https://${feedId}.example/news/${n}`;
  return { feedId, entryKey: link, guid: null, link, canonicalLink: link, title, contentHtml: `<p>${text}</p>`, contentText: text, publishedAt, author: null };
}

describe.each(testBackends())('pages on a real database (%s)', (backend) => {
  let t: TestDatabase;
  let app: ReturnType<typeof createApp>;
  const publicUrl = 'https://news.example.org/';

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    const db = t.handle.db;
    const sources = [
      feedSource('wakala', 'الوكالة', 'https://wakala.example/rss', { category: 'news' }),
      feedSource('local', 'المحلي', 'http://rsshub:1200/local?key=s3cret', { category: 'news' }),
    ];
    await syncFeeds(db, sources);
    const now = Date.now();
    await storeItems(db, [item('wakala', 1, 'مدرسة جديدة في الرياض', 'افتتحت وزارة التعليم مدرسة جديدة.', new Date(now - 3_600_000))], singletonStoryAssigner);
    await storeItems(db, [item('local', 1, 'إطلاق قمر صناعي', 'أطلقت الوكالة قمرا صناعيا.', new Date(now - 7_200_000))], singletonStoryAssigner);
    await recordFetchOutcome(db, 'local', { kind: 'error', code: 'FETCH_NETWORK', message: 'getaddrinfo ENOTFOUND rsshub', httpStatus: null, nextFetchAt: new Date(now + 600_000) });
    app = createApp({
      feedStore: createDbFeedStore(db, { title: 'خبر', description: '', language: 'ar', publicUrl }),
      logger: silentLogger(),
      config: { publicUrl, feedTitle: 'خبر', cacheSeconds: 30, sources: sources.map((s) => ({ name: s.name, url: s.url, category: s.category })) },
    });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('/ lists the stored stories, each linking to its page', async () => {
    const d = parseHTML(await (await app.request('/')).text()).document;
    expect([...d.querySelectorAll('.story h2 a')].map((a) => a.textContent)).toEqual(['مدرسة جديدة في الرياض', 'إطلاق قمر صناعي']);
    expect(d.querySelector('.story h2 a')!.getAttribute('href')).toMatch(/^\/stories\/\d+$/);
  });

  it('/search finds «مدرسه» and «أطلاق» in other spellings', async () => {
    for (const [q, title] of [['مدرسه', 'مدرسة جديدة في الرياض'], ['اطلاق', 'إطلاق قمر صناعي'], ['بالرياض', null]] as const) {
      const res = await app.request(`/search?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      const titles = [...parseHTML(await res.text()).document.querySelectorAll('.story h2 a')].map((a) => a.textContent);
      expect(titles, q).toEqual(title === null ? [] : [title]);
    }
  });

  it('/status and /api/feeds show the failing source without its address or host', async () => {
    const html = await (await app.request('/status')).text();
    expect(html).toMatch(/class="health-failing">متعطل <time datetime=/);
    expect(html).toContain('FETCH_NETWORK');
    const json = (await (await app.request('/api/feeds')).json()) as { sources: Array<{ id: string; url: string | null; health: string; itemsLast24h: number }> };
    expect(json.sources.map((s) => [s.id, s.health, s.url, s.itemsLast24h])).toEqual([
      ['local', 'failing', null, 1],
      ['wakala', 'new', 'https://wakala.example/rss', 1],
    ]);
    expect(`${html}${JSON.stringify(json)}`).not.toMatch(/rsshub|s3cret/);
  });
});

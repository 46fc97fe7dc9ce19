import { afterAll, describe, expect, it } from 'vitest';
import { createParsePool, defaultParseWorkers } from '../../src/pipeline/parse-pool.js';
import type { FeedBodyInput } from '../../src/pipeline/parse-feed-body.js';
import { rss2 } from '../helpers/arabic-feeds.js';
import { atomWithNulInBase64, hostileShape } from '../helpers/hostile-feeds.js';
import { newsPage } from '../helpers/news-page.js';
import { agencyParagraphs, agencyTitle } from '../helpers/agency-report.js';

function feedInput(body: string, url = 'https://news.example.com/rss.xml'): FeedBodyInput {
  return { body: Buffer.from(body), contentType: 'application/rss+xml; charset=utf-8', feed: { id: 'f', url }, itemsPerFeed: 100, now: Date.parse('2026-11-30T12:00:00Z') };
}

describe('the parse pool', () => {
  const pool = createParsePool({ size: 2 });

  it('leaves a core to the main thread and the database by default, and never has fewer than one worker', () => {
    expect([1, 2, 4, 8].map((cores) => defaultParseWorkers(cores))).toEqual([1, 1, 3, 7]);
    const defaulted = createParsePool();
    expect(defaulted.size).toBe(defaultParseWorkers());
    return defaulted.close();
  });
  afterAll(() => pool.close());

  it('parses a feed in a worker thread into items, dates and Arabic intact', async () => {
    const result = await pool.parseFeedBody(feedInput(rss2()));
    expect(result.charset).toBe('utf-8');
    expect(result.entries).toBe(2);
    expect(result.items.map((i) => i.title)).toEqual(['وزير الخارجية يلتقي نظيره الأردني في عمّان', 'ارتفاع أسعار النفط «برنت» إلى أعلى مستوى']);
    expect(result.items[0]!.publishedAt).toBeInstanceOf(Date);
    expect(result.items[1]!.contentHtml).not.toContain('script');
  });

  it('gives a parse error its own code, as on the main thread', async () => {
    await expect(pool.parseFeedBody(feedInput('<html><body>not a feed</body></html>'))).rejects.toMatchObject({ code: 'PARSE_NOT_A_FEED' });
    await expect(pool.parseFeedBody(feedInput(hostileShape('prolog-then-spaces').build(200)))).rejects.toMatchObject({ code: 'PARSE_NOT_A_FEED' });
  });

  it('leaves no character Postgres or XML cannot hold in what it returns', async () => {
    const result = await pool.parseFeedBody(feedInput(atomWithNulInBase64(), 'https://wire.example.com/atom.xml'));
    const item = result.items[0]!;
    expect(item.contentText).toContain('نص الخبر');
    for (const value of [item.title, item.contentHtml, item.contentText]) expect(value).not.toMatch(/[\u0000-\u0008\uFFFF]/);
  });

  it('reads an article page in a worker', async () => {
    const page = newsPage(agencyTitle, agencyParagraphs);
    const article = await pool.readArticlePage({ body: Buffer.from(page), contentType: 'text/html; charset=utf-8', url: 'https://daily.example.com/a/1' });
    expect(article?.text).toContain(agencyParagraphs[0]);
  });

  it('keeps the main event loop free while a worker parses a big body', async () => {
    const big = feedInput(hostileShape('many-items').build(3_000_000));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    let ticksWhenDone = -1;
    try {
      await pool.parseFeedBody(big).then(() => (ticksWhenDone = ticks));
    } finally {
      clearInterval(ticker);
    }
    // On the main thread the parse would hold the loop and no tick could run before it ended.
    expect(ticksWhenDone).toBeGreaterThan(3);
  });
});

describe('the parse time budget', () => {
  it('stops a parse that runs past its budget with PARSE_TOO_SLOW, and the next task gets a fresh worker', async () => {
    const pool = createParsePool({ size: 1, budgetMs: 150 });
    try {
      // 5 MB of entries takes well over a second to parse, far past 150 ms.
      await expect(pool.parseFeedBody(feedInput(hostileShape('many-items').build(5_000_000)))).rejects.toMatchObject({ code: 'PARSE_TOO_SLOW' });
      const after = await pool.parseFeedBody(feedInput(rss2()));
      expect(after.items).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });

  it('fails a parse that outgrows the worker heap with PARSE_TOO_COMPLEX', async () => {
    const pool = createParsePool({ size: 1, maxHeapMb: 24, budgetMs: 60_000 });
    try {
      // Every one of ~40,000 entries normalized and held at once: far more than 24 MB.
      const huge = { ...feedInput(hostileShape('many-items').build(5_000_000)), itemsPerFeed: 1_000_000 };
      await expect(pool.parseFeedBody(huge)).rejects.toMatchObject({ code: 'PARSE_TOO_COMPLEX' });
      const after = await pool.parseFeedBody(feedInput(rss2()));
      expect(after.items).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });

  it('fails what is still queued with FETCH_ABORTED when closed (shutdown)', async () => {
    const pool = createParsePool({ size: 1 });
    const first = expect(pool.parseFeedBody(feedInput(hostileShape('many-items').build(2_000_000)))).rejects.toMatchObject({ code: 'FETCH_ABORTED' });
    const queued = expect(pool.parseFeedBody(feedInput(rss2()))).rejects.toMatchObject({ code: 'FETCH_ABORTED' });
    await pool.close();
    await first;
    await queued;
  });
});

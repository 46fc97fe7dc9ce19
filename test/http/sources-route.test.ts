import { describe, expect, it } from 'vitest';
import { parseOpml } from '../../src/commands/import-opml.js';
import { createApp } from '../../src/http/create-app.js';
import type { FeedStore } from '../../src/http/feed-store.js';
import { silentLogger } from '../../src/logger.js';

const noStore: FeedStore = {
  version: async () => 'v',
  load: async () => {
    throw new Error('not used');
  },
};

const sources = [
  { name: 'الجزيرة نت', url: 'https://www.aljazeera.net/rss', category: 'news', language: 'ar' },
  { name: 'الاقتصادية', url: 'https://www.aleqt.com/rss?a=1&b=2', category: 'economy', language: 'ar' },
  { name: 'هسبريس', url: 'https://www.hespress.com/feed', category: null, language: 'ar-MA' },
];

function app(list = sources) {
  return createApp({
    feedStore: noStore,
    logger: silentLogger(),
    config: { publicUrl: 'https://news.example.org/', feedTitle: 'خبر', cacheSeconds: 60, sources: list },
  });
}

describe('/sources.opml', () => {
  it('lists every source, grouped by category, for a feed reader to import', async () => {
    const res = await app().request('/sources.opml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const body = await res.text();
    expect(body).toContain('<title>خبر</title>');
    expect(parseOpml(body)).toEqual(sources.map(({ name, url, category }) => ({ name, url, category })));
  });

  it('answers 304 to a matching If-None-Match, and changes its ETag when the sources change', async () => {
    const first = await app().request('/sources.opml');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect((await app().request('/sources.opml', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const changed = await app(sources.slice(1)).request('/sources.opml');
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it.each([
    ['credentials (basic auth)', 'https://reader:s3cret@feeds.example.org/private.xml'],
    ['an access key in the query (RSSHub)', 'https://rsshub.example.org/telegram/channel/x?key=s3cret'],
    ['a token in the query', 'https://feeds.example.org/rss?format=xml&Token=s3cret'],
    ['a private IP', 'http://192.168.1.20:1200/telegram/channel/x'],
    ['a single-label host (a compose service)', 'http://rsshub:1200/telegram/channel/x'],
    ['an intranet name', 'https://news.corp.internal/rss'],
    ['a single-label host written with a trailing dot', 'http://rsshub./telegram/channel/x'],
    ['a home.arpa name', 'http://feeds.home.arpa/rss'],
    ['a key under another name', 'https://gitlab.example.org/feed.atom?private_token=s3cret'],
    ['a NAT64 address carrying a private one', 'http://[64:ff9b:1::a00:1]/rss'],
  ])('never publishes a feed whose address has %s', async (_name, url) => {
    const res = await app([...sources, { name: 'خاص', url, category: 'news', language: 'ar' }]).request('/sources.opml');
    const body = await res.text();
    expect(body).not.toContain('s3cret');
    expect(body).not.toContain('خاص');
    expect(parseOpml(body)).toHaveLength(sources.length);
  });

  it('is a valid, empty list when no sources are configured', async () => {
    const res = await app([]).request('/sources.opml');
    expect(res.status).toBe(200);
    expect(parseOpml(await res.text())).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KhabarError } from '../../src/errors.js';
import { decodeBody } from '../../src/pipeline/decode-body.js';
import { fetchFeed } from '../../src/pipeline/fetch-feed.js';
import { normalizeItem } from '../../src/pipeline/normalize-item.js';
import { parseFeed } from '../../src/pipeline/parse-feed.js';
import type { Item } from '../../src/domain/item.js';
import type { FetchOptions } from '../../src/pipeline/types.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { fixtureNames, readFixture, readFixtureAs } from '../helpers/fixtures.js';

/** The first four stages chained over real HTTP, the way refresh-feed runs them. */
const options: FetchOptions = { timeoutMs: 2_000, maxBytes: 1_000_000, maxRedirects: 3, userAgent: 'khabar-test' };

async function run(url: string, validators: Pick<FetchOptions, 'etag' | 'lastModified'> = {}): Promise<{ status: string; items: Item[]; charsetSource?: string }> {
  const fetched = await fetchFeed(url, { ...options, ...validators });
  if (fetched.status === 'not-modified') return { status: 'not-modified', items: [] };
  const decoded = decodeBody(fetched.body, fetched.contentType);
  const parsed = await parseFeed(decoded.text);
  const items = parsed.entries.map((entry) => normalizeItem(entry, { id: 'feed', url: fetched.url })).filter((item): item is Item => item !== null);
  return { status: 'ok', items, charsetSource: decoded.charsetSource };
}

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({
    '/watan.xml': {
      body: readFixtureAs(fixtureNames.windows1256HeaderOnly, 'windows-1256'),
      contentType: 'application/rss+xml; charset=windows-1256',
      compress: 'gzip',
      etag: '"watan-1"',
    },
    '/sharq.xml': { body: readFixtureAs(fixtureNames.iso88596, 'iso-8859-6'), contentType: 'text/xml' },
    '/khaleej.xml': { body: readFixture(fixtureNames.utf8Bom), contentType: 'application/xml' },
    '/economy.atom': { body: readFixture(fixtureNames.atom1), contentType: 'application/atom+xml', lastModified: 'Tue, 24 Mar 2026 10:00:00 GMT' },
    '/feeds/moved.xml': { redirectTo: '/news/main.xml', status: 301 },
    '/news/main.xml': { body: readFixture(fixtureNames.rss2Utf8), contentType: 'application/rss+xml' },
    '/broken.xml': { body: readFixture(fixtureNames.broken), contentType: 'application/rss+xml' },
    '/index.html': { body: readFixture(fixtureNames.htmlPage), contentType: 'text/html; charset=utf-8' },
  });
});
afterAll(() => server.close());

describe('fetch → decode → parse → normalize', () => {
  it('reads a gzipped windows-1256 feed whose charset is only in the header, then gets 304', async () => {
    const first = await run(server.url('/watan.xml'));
    expect(first.charsetSource).toBe('header');
    expect(first.items.map((i) => i.title)).toEqual(['وزير الخارجية: «الحوار هو الطريق الوحيد»', 'افتتاح معرض للفن المعاصر في مقهى «كافيه»']);
    expect(first.items[0]!.contentText).toBe('أكد وزير الخارجية في مؤتمر صحفي أن الحوار هو الطريق الوحيد لحل الأزمة.');

    const second = await run(server.url('/watan.xml'), { etag: '"watan-1"' });
    expect(second.status).toBe('not-modified');
    expect(server.requestsTo('/watan.xml').at(-1)!.headers['if-none-match']).toBe('"watan-1"');
  });

  it.each([
    ['/sharq.xml', 'xml-declaration', 'هل تنجح خطة المرور الجديدة؟'],
    ['/khaleej.xml', 'bom', 'افتتاح ميناء جديد على الساحل'],
    ['/economy.atom', 'xml-declaration', 'تراجع أسعار الذهب للمرة الثالثة'],
  ])('%s: charset from %s, Arabic title intact', async (path, charsetSource, title) => {
    const result = await run(server.url(path));
    expect(result.charsetSource).toBe(charsetSource);
    expect(result.items[0]!.title).toBe(title);
  });

  it('resolves relative links against the final URL after a redirect', async () => {
    const result = await run(server.url('/feeds/moved.xml'));
    expect(result.items[1]!.link).toBe(`${server.origin}/weather/2026/03/heat?fbclid=abc123`);
    expect(result.items[1]!.canonicalLink).toBe(`${server.origin}/weather/2026/03/heat`);
  });

  it.each([
    ['/broken.xml', 'PARSE_INVALID_XML'],
    ['/index.html', 'PARSE_NOT_A_FEED'],
    ['/missing.xml', 'FETCH_HTTP_STATUS'],
  ])('%s fails with %s', async (path, code) => {
    const err = await run(server.url(path)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KhabarError);
    expect((err as KhabarError).code).toBe(code);
  });
});

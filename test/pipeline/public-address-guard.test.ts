import { describe, expect, it } from 'vitest';
import { isKhabarError } from '../../src/errors.js';
import { fetchFeed } from '../../src/pipeline/fetch-feed.js';
import { fetchFullText } from '../../src/pipeline/fetch-full-text.js';
import { createLinkGuard, hasNonPublicHost, isNonPublicAddress } from '../../src/pipeline/public-address-guard.js';
import { silentLogger } from '../../src/logger.js';
import { agencyParagraphs, agencyTitle, reportItem } from '../helpers/agency-report.js';
import { startFixtureServer } from '../helpers/fixture-server.js';
import { testParsePool } from '../helpers/test-sources.js';
import { newsPage } from '../helpers/news-page.js';

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (err) {
    return isKhabarError(err) ? err.code : String(err);
  }
}

const fetchOptions = { timeoutMs: 3000, maxBytes: 1_000_000, maxRedirects: 3, userAgent: 'khabar-test', parser: testParsePool() };

describe('isNonPublicAddress', () => {
  it.each([
    ['127.0.0.1', true], ['10.1.2.3', true], ['172.16.5.4', true], ['172.31.255.255', true], ['172.32.0.1', false],
    ['192.168.1.1', true], ['169.254.169.254', true], ['100.64.1.1', true], ['0.0.0.0', true], ['224.0.0.1', true],
    ['8.8.8.8', false], ['93.184.216.34', false], ['::1', true], ['::', true], ['fe80::1', true], ['fd12:3456::1', true],
    ['fec0::1', true], ['100::1', true], ['2001:4860:4860::8888', false],
    // IPv6 carrying an IPv4 address is judged by that address.
    ['::ffff:127.0.0.1', true], ['::ffff:8.8.8.8', false], ['::7f00:1', true], ['64:ff9b::7f00:1', true], ['64:ff9b::808:808', false],
    ['2002:7f00:1::', true], ['2002:808:808::1', false], ['64:ff9b:1::a00:1', true], ['::ffff:0:a00:1', true], ['not-an-ip', true],
    // Documentation, benchmarking, reserved and other special-purpose ranges that no article lives on.
    ['192.0.2.10', true], ['198.51.100.7', true], ['203.0.113.200', true], ['192.0.0.9', true], ['192.88.99.1', true],
    ['198.19.255.255', true], ['198.20.0.1', false], ['100.127.255.255', true], ['100.128.0.1', false], ['240.0.0.1', true],
    ['255.255.255.255', true], ['192.0.3.1', false], ['203.0.114.1', false],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', true], ['2001::1', true], ['2001:2::1', true], ['2001:20::1', true],
    ['2001:1ff:ffff::1', true], ['2001:200::1', false], ['2001:db8::1', true], ['2001:db8:ffff::1', true], ['2001:db9::1', false],
    ['3fff::1', true], ['3fff:fff:ffff::1', true], ['3fff:1000::1', false], ['5f00::1', true], ['100:0:0:1::1', true],
    ['2002:c000:201::1', true], ['::ffff:203.0.113.5', true], ['64:ff9b::c633:6401', true],
  ])('%s → %s', (ip, expected) => {
    expect(isNonPublicAddress(ip)).toBe(expected);
  });
});

describe('the link guard (links taken from feed content)', () => {
  const dns: Record<string, string[]> = {
    'news.example': ['93.184.216.34'],
    'metadata.example': ['169.254.169.254'],
    'split.example': ['93.184.216.34', '10.0.0.7'],
    'intranet.local': ['192.168.0.10'],
  };
  const resolve = async (host: string) => {
    if (!dns[host]) throw new Error('ENOTFOUND');
    return dns[host]!;
  };

  it('lets public hosts through and refuses any host with a non-public address, by name or literal', async () => {
    const { checkUrl } = createLinkGuard({ resolve });
    expect(await codeOf(checkUrl(new URL('https://news.example/a')))).toBeNull();
    expect(await codeOf(checkUrl(new URL('http://metadata.example/latest/meta-data/')))).toBe('FETCH_FORBIDDEN_ADDRESS');
    expect(await codeOf(checkUrl(new URL('http://split.example/')))).toBe('FETCH_FORBIDDEN_ADDRESS');
    expect(await codeOf(checkUrl(new URL('http://127.0.0.1:5432/')))).toBe('FETCH_FORBIDDEN_ADDRESS');
    expect(await codeOf(checkUrl(new URL('http://2130706433/')))).toBe('FETCH_FORBIDDEN_ADDRESS'); // 127.0.0.1 in decimal
    expect(await codeOf(checkUrl(new URL('http://[::1]:8080/')))).toBe('FETCH_FORBIDDEN_ADDRESS');
    expect(await codeOf(checkUrl(new URL('http://unknown.example/')))).toBe('FETCH_NETWORK');
  });

  it("lets a private feed's links reach its own origin, and no other port or private address", async () => {
    const { checkUrl } = createLinkGuard({ resolve, trustedOrigin: 'http://intranet.local:1200' });
    expect(await codeOf(checkUrl(new URL('http://intranet.local:1200/news/1')))).toBeNull();
    expect(await codeOf(checkUrl(new URL('http://intranet.local:5432/')))).toBe('FETCH_FORBIDDEN_ADDRESS');
    expect(await codeOf(checkUrl(new URL('http://intranet.local/')))).toBe('FETCH_FORBIDDEN_ADDRESS');
    expect(await codeOf(checkUrl(new URL('http://127.0.0.1:5432/')))).toBe('FETCH_FORBIDDEN_ADDRESS');
    expect(await codeOf(checkUrl(new URL('http://metadata.example/')))).toBe('FETCH_FORBIDDEN_ADDRESS');
  });

  it('tells a feed on a private address from a public one', async () => {
    expect(await hasNonPublicHost('http://intranet.local/rss', resolve)).toBe(true);
    expect(await hasNonPublicHost('https://news.example/rss', resolve)).toBe(false);
    expect(await hasNonPublicHost('http://127.0.0.1:8080/rss')).toBe(true);
  });

  it('is checked on every redirect hop, so a public link cannot redirect inside', async () => {
    const server = await startFixtureServer({ '/start': { redirectTo: '/internal' }, '/internal': { body: 'secret' } });
    try {
      const { checkUrl } = createLinkGuard({ resolve });
      // Both hops are on 127.0.0.1 here: the first is let through as if public, the redirect target is judged for real.
      const onlyStart = async (url: URL) => (url.pathname === '/start' ? undefined : checkUrl(url));
      expect(await codeOf(fetchFeed(server.url('/start'), { ...fetchOptions, checkUrl: onlyStart }))).toBe('FETCH_FORBIDDEN_ADDRESS');
      expect(server.requestsTo('/start')).toHaveLength(1);
      expect(server.requestsTo('/internal')).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('connects only to the addresses it checked: a host that answers public, then loopback, is refused (DNS rebinding)', async () => {
    const server = await startFixtureServer({ '/page': { body: 'internal secret' } });
    const port = new URL(server.origin).port;
    try {
      let answers = 0;
      const rebinding = async (host: string) => (host === 'rebind.test' && answers++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']);
      const guard = createLinkGuard({ resolve: rebinding });
      const code = await codeOf(fetchFeed(`http://rebind.test:${port}/page`, { ...fetchOptions, ...guard }));
      expect(code).toBe('FETCH_FORBIDDEN_ADDRESS');
      expect(server.requests).toHaveLength(0);
      await guard.dispatcher.close();
      // The same connection path to a trusted host does reach the server: the refusal above is the check, not a broken lookup.
      const trusted = createLinkGuard({ resolve: async () => ['127.0.0.1'], trustedOrigin: `http://rebind.test:${port}` });
      const page = await fetchFeed(`http://rebind.test:${port}/page`, { ...fetchOptions, ...trusted });
      expect(page.status === 'ok' && page.body.toString()).toBe('internal secret');
      await trusted.dispatcher.close();
    } finally {
      await server.close();
    }
  });

  it('refuses, without crashing, a trusted host that resolves to nothing', async () => {
    const server = await startFixtureServer({ '/page': { body: 'x' } });
    const port = new URL(server.origin).port;
    try {
      const guard = createLinkGuard({ resolve: async () => [], trustedOrigin: `http://empty.test:${port}` });
      expect(await codeOf(fetchFeed(`http://empty.test:${port}/page`, { ...fetchOptions, ...guard }))).toBe('FETCH_FORBIDDEN_ADDRESS');
      await guard.dispatcher.close();
    } finally {
      await server.close();
    }
  });

  it('keeps full-text fetching of a public feed away from loopback pages: no request, the feed text kept', async () => {
    const server = await startFixtureServer({ '/news/1': { contentType: 'text/html; charset=utf-8', body: newsPage(agencyTitle, agencyParagraphs) } });
    try {
      const item = { ...reportItem('daily', 1, { title: agencyTitle, html: `<p>${agencyParagraphs[0]}</p>` }, null), link: server.url('/news/1') };
      const refused = await fetchFullText([item], { ...fetchOptions, trustedOrigin: null }, silentLogger());
      expect(refused.summary).toEqual({ fetched: 1, replaced: 0, failed: 1 });
      expect(refused.items[0]).toEqual(item);
      expect(server.requests).toHaveLength(0);
      // The same page for a feed that is itself on that host.
      const allowed = await fetchFullText([item], { ...fetchOptions, trustedOrigin: server.origin }, silentLogger());
      expect(allowed.summary.replaced).toBe(1);
    } finally {
      await server.close();
    }
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KhabarError } from '../../src/errors.js';
import { fetchFeed, parseRetryAfter } from '../../src/pipeline/fetch-feed.js';
import type { FetchOptions } from '../../src/pipeline/types.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { fixtureNames, readFixture } from '../helpers/fixtures.js';

const options: FetchOptions = { timeoutMs: 2_000, maxBytes: 1_000_000, maxRedirects: 3, userAgent: 'khabar-test/1 (+tests)' };
const feedBytes = readFixture(fixtureNames.rss2Utf8);

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({
    '/feed.xml': { body: feedBytes, contentType: 'application/rss+xml; charset=utf-8', etag: '"v1"', lastModified: 'Tue, 24 Mar 2026 10:00:00 GMT' },
    '/dated.xml': { body: feedBytes, lastModified: 'Tue, 24 Mar 2026 10:00:00 GMT' },
    '/gzip.xml': { body: feedBytes, compress: 'gzip' },
    '/br.xml': { body: feedBytes, compress: 'br' },
    '/deflate.xml': { body: feedBytes, compress: 'deflate' },
    '/moved': { redirectTo: '/feed.xml', status: 301 },
    '/moved-twice': { redirectTo: '/moved' },
    '/loop-a': { redirectTo: '/loop-b' },
    '/loop-b': { redirectTo: '/loop-a' },
    '/no-location': { status: 302 },
    '/slow-headers': { body: feedBytes, delayMs: 5_000 },
    '/stalled-body': { body: feedBytes, stall: true },
    '/endless': { endlessChunkBytes: 16_384 },
    '/big-declared': { body: Buffer.alloc(5_000, 0x61) },
    '/big-chunked': { body: Buffer.alloc(5_000, 0x61), chunked: true },
    '/always-304': (_req, res) => void res.writeHead(304, { etag: '"v1"' }).end(),
    '/gone': { status: 404, body: 'not here' },
    '/broken-server': { status: 500, body: 'oops' },
    '/busy-seconds': { status: 429, headers: { 'retry-after': '120' } },
    '/busy-date': { status: 503, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } },
    '/busy-none': { status: 429 },
    '/auth': (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(String(req.headers.authorization ?? ''));
    },
  });
});
afterAll(() => server.close());
beforeEach(() => server.clearRequests());

function fetchError(path: string, overrides: Partial<FetchOptions> = {}): Promise<KhabarError> {
  return fetchErrorAt(server.url(path), overrides);
}

async function fetchErrorAt(url: string, overrides: Partial<FetchOptions> = {}): Promise<KhabarError> {
  const err = await fetchFeed(url, { ...options, ...overrides }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KhabarError);
  return err as KhabarError;
}

describe('fetchFeed', () => {
  it('returns the body, content type and validators, and sends descriptive headers', async () => {
    const result = await fetchFeed(server.url('/feed.xml'), options);
    expect(result).toMatchObject({ status: 'ok', httpStatus: 200, url: server.url('/feed.xml'), etag: '"v1"', contentType: 'application/rss+xml; charset=utf-8' });
    if (result.status !== 'ok') throw new Error('unreachable');
    expect(result.body.equals(feedBytes)).toBe(true);
    expect(result.lastModified).toBe('Tue, 24 Mar 2026 10:00:00 GMT');
    const [request] = server.requestsTo('/feed.xml');
    expect(request!.headers['user-agent']).toBe('khabar-test/1 (+tests)');
    expect(request!.headers.accept).toContain('application/rss+xml');
    expect(request!.headers['accept-encoding']).toMatch(/gzip/);
    expect(request!.headers['if-none-match']).toBeUndefined();
  });

  it('falls back to the default User-Agent when none is configured', async () => {
    await fetchFeed(server.url('/feed.xml'), { ...options, userAgent: '' });
    expect(server.requestsTo('/feed.xml')[0]!.headers['user-agent']).toMatch(/^khabar\//);
  });

  it('sends If-None-Match and If-Modified-Since and reports 304 as not-modified, keeping validators', async () => {
    const result = await fetchFeed(server.url('/feed.xml'), { ...options, etag: '"v1"', lastModified: 'Tue, 24 Mar 2026 10:00:00 GMT' });
    expect(result).toEqual({ status: 'not-modified', url: server.url('/feed.xml'), etag: '"v1"', lastModified: 'Tue, 24 Mar 2026 10:00:00 GMT' });
    const [request] = server.requestsTo('/feed.xml');
    expect(request!.headers['if-none-match']).toBe('"v1"');
    expect(request!.headers['if-modified-since']).toBe('Tue, 24 Mar 2026 10:00:00 GMT');
  });

  it('retries once when the connection is reset before any answer (a kept-alive connection the server closed)', async () => {
    let calls = 0;
    server.route('/reset-once', (req, res) => {
      if (calls++ === 0) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<rss/>');
    });
    const result = await fetchFeed(server.url('/reset-once'), options);
    expect(result).toMatchObject({ status: 'ok', httpStatus: 200 });
    expect(calls).toBe(2);
    // Only once: a server that always resets is the feed's network failure.
    server.route('/reset-always', (req) => void req.socket.destroy());
    const err = await fetchError('/reset-always');
    expect(err.code).toBe('FETCH_NETWORK');
    expect(server.requestsTo('/reset-always')).toHaveLength(2);
  });

  it('refuses a 304 to an unconditional request instead of reporting the feed unchanged', async () => {
    const err = await fetchError('/always-304');
    expect(err.code).toBe('FETCH_HTTP_STATUS');
    expect(err.details).toMatchObject({ status: 304, url: server.url('/always-304') });
    expect(err.message).toBe('HTTP 304 Not Modified to a request without validators');
    const [request] = server.requestsTo('/always-304');
    expect(request!.headers['if-none-match']).toBeUndefined();
    expect(request!.headers['if-modified-since']).toBeUndefined();
  });

  it('still takes a 304 to a conditional request as not-modified, even from a server that always answers 304', async () => {
    const result = await fetchFeed(server.url('/always-304'), { ...options, etag: '"v1"' });
    expect(result).toMatchObject({ status: 'not-modified', etag: '"v1"' });
  });

  it('uses If-Modified-Since alone when only Last-Modified was stored', async () => {
    const result = await fetchFeed(server.url('/dated.xml'), { ...options, lastModified: 'Tue, 24 Mar 2026 10:00:00 GMT' });
    expect(result.status).toBe('not-modified');
    expect(result.lastModified).toBe('Tue, 24 Mar 2026 10:00:00 GMT');
    expect(result.etag).toBeNull();
  });

  it('gets the full body when the stored ETag is stale', async () => {
    const result = await fetchFeed(server.url('/feed.xml'), { ...options, etag: '"v0"' });
    expect(result).toMatchObject({ status: 'ok', etag: '"v1"' });
  });

  it.each(['/gzip.xml', '/br.xml', '/deflate.xml'])('decompresses %s', async (path) => {
    const result = await fetchFeed(server.url(path), options);
    if (result.status !== 'ok') throw new Error('expected a body');
    expect(result.body.equals(feedBytes)).toBe(true);
  });

  it('follows redirects and reports the final URL', async () => {
    const result = await fetchFeed(server.url('/moved-twice'), options);
    expect(result).toMatchObject({ status: 'ok', url: server.url('/feed.xml') });
    expect(server.requests.map((r) => r.path)).toEqual(['/moved-twice', '/moved', '/feed.xml']);
  });

  it('carries validators across redirects, so a moved feed can still answer 304', async () => {
    const result = await fetchFeed(server.url('/moved'), { ...options, etag: '"v1"' });
    expect(result).toMatchObject({ status: 'not-modified', url: server.url('/feed.xml') });
  });

  it('stops after maxRedirects', async () => {
    const err = await fetchError('/loop-a');
    expect(err.code).toBe('FETCH_TOO_MANY_REDIRECTS');
    expect(server.requests).toHaveLength(options.maxRedirects + 1);
    expect((await fetchError('/moved-twice', { maxRedirects: 1 })).code).toBe('FETCH_TOO_MANY_REDIRECTS');
  });

  it('rejects a redirect without Location', async () => {
    const err = await fetchError('/no-location');
    expect(err.code).toBe('FETCH_HTTP_STATUS');
    expect(err.details.status).toBe(302);
  });

  it('times out when headers never come', async () => {
    const started = Date.now();
    const err = await fetchError('/slow-headers', { timeoutMs: 150 });
    expect(err.code).toBe('FETCH_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('times out when the body never finishes', async () => {
    const err = await fetchError('/stalled-body', { timeoutMs: 150 });
    expect(err.code).toBe('FETCH_TIMEOUT');
  });

  it('refuses a body whose Content-Length exceeds maxBytes', async () => {
    const err = await fetchError('/big-declared', { maxBytes: 1_000 });
    expect(err.code).toBe('FETCH_TOO_LARGE');
    expect(err.details.declaredBytes).toBe(5_000);
  });

  it('enforces maxBytes while streaming a chunked body', async () => {
    const err = await fetchError('/big-chunked', { maxBytes: 1_000 });
    expect(err.code).toBe('FETCH_TOO_LARGE');
  });

  it('stops reading an endless body at maxBytes', async () => {
    const err = await fetchError('/endless', { maxBytes: 200_000, timeoutMs: 5_000 });
    expect(err.code).toBe('FETCH_TOO_LARGE');
  });

  it.each([
    ['/gone', 404],
    ['/broken-server', 500],
  ])('maps %s to FETCH_HTTP_STATUS %i', async (path, status) => {
    const err = await fetchError(path);
    expect(err.code).toBe('FETCH_HTTP_STATUS');
    expect(err.details).toMatchObject({ status, url: server.url(path) });
  });

  it('maps 429 with Retry-After seconds to FETCH_RATE_LIMITED', async () => {
    const err = await fetchError('/busy-seconds');
    expect(err.code).toBe('FETCH_RATE_LIMITED');
    expect(err.details).toMatchObject({ status: 429, retryAfterSeconds: 120 });
  });

  it('maps 503 with a Retry-After date to FETCH_RATE_LIMITED', async () => {
    const err = await fetchError('/busy-date');
    expect(err.code).toBe('FETCH_RATE_LIMITED');
    expect(err.details.retryAfterSeconds).toBeGreaterThan(50);
    expect(err.details.retryAfterSeconds).toBeLessThanOrEqual(61);
  });

  it('reports a missing Retry-After as null', async () => {
    expect((await fetchError('/busy-none')).details.retryAfterSeconds).toBeNull();
  });

  it('maps a refused connection to FETCH_NETWORK with the cause', async () => {
    const closed = await startFixtureServer();
    const url = closed.url('/feed.xml');
    await closed.close();
    const err = await fetchErrorAt(url);
    expect(err.code).toBe('FETCH_NETWORK');
    expect(err.cause).toBeDefined();
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it.each(['not a url', 'ftp://example.com/feed.xml', 'file:///etc/passwd'])('rejects %s as FETCH_BAD_URL', async (url) => {
    expect((await fetchErrorAt(url)).code).toBe('FETCH_BAD_URL');
  });

  it('moves credentials from the URL into an Authorization header and out of the reported URL', async () => {
    const url = server.url('/auth').replace('http://', 'http://reader:s%40cret@');
    const result = await fetchFeed(url, options);
    if (result.status !== 'ok') throw new Error('expected a body');
    expect(result.body.toString()).toBe(`Basic ${Buffer.from('reader:s@cret').toString('base64')}`);
    expect(result.url).toBe(server.url('/auth'));
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-03-24T10:00:00Z');
  it.each([
    ['120', 120],
    ['0', 0],
    ['Tue, 24 Mar 2026 10:01:30 GMT', 90],
    ['Tue, 24 Mar 2026 09:00:00 GMT', 0],
    ['soon', null],
    [null, null],
  ])('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

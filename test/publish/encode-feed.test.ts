import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bytesFor, encodeFeed, etagFor, matchesEtag } from '../../src/publish/encode-feed.js';
import { renderRss } from '../../src/publish/render-rss.js';
import { sampleFeed } from './sample-feed.js';

const contentType = 'application/rss+xml; charset=utf-8';

describe('encodeFeed', () => {
  it('builds identity, gzip and brotli bytes of the same UTF-8 text', async () => {
    const text = renderRss(sampleFeed());
    const encoded = await encodeFeed({ text, contentType, versionKey: 'v1', updatedAt: new Date('2026-11-28T12:30:00.250Z') });
    expect(encoded.body.toString('utf8')).toBe(text);
    expect(gunzipSync(encoded.gzip).toString('utf8')).toBe(text);
    expect(brotliDecompressSync(encoded.br).toString('utf8')).toBe(text);
    expect(encoded.br.length).toBeLessThan(encoded.body.length);
    expect(encoded.contentType).toBe(contentType);
    expect(encoded.versionKey).toBe('v1');
    expect(encoded.lastModified).toBe('Sat, 28 Nov 2026 12:30:00 GMT');
    expect(encoded.lastModifiedMs).toBe(Date.parse('2026-11-28T12:30:00Z'));
    expect(bytesFor(encoded, 'gzip')).toBe(encoded.gzip);
  });

  it('gives the same ETag for the same data, whenever it is built, and another for other data', async () => {
    const text = renderRss(sampleFeed());
    const a = await encodeFeed({ text, contentType, versionKey: 'v1', updatedAt: null });
    const b = await encodeFeed({ text: renderRss(sampleFeed()), contentType, versionKey: 'v2', updatedAt: null });
    const c = await encodeFeed({ text: renderRss(sampleFeed(sampleFeed().stories.slice(1))), contentType, versionKey: 'v3', updatedAt: null });
    expect(a.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(b.etag).toBe(a.etag);
    expect(c.etag).not.toBe(a.etag);
    expect(a.lastModified).toBeNull();
  });

  it('names each coding apart and matches any of them', async () => {
    const encoded = await encodeFeed({ text: 'x', contentType, versionKey: 'v', updatedAt: null });
    const base = encoded.etag.slice(1, -1);
    expect(etagFor(encoded, 'identity')).toBe(`"${base}"`);
    expect(etagFor(encoded, 'gzip')).toBe(`"${base}-gzip"`);
    expect(etagFor(encoded, 'br')).toBe(`"${base}-br"`);
    const cases: [string, boolean][] = [
      [`"${base}"`, true],
      [`"${base}-gzip"`, true],
      [`W/"${base}-br"`, true],
      [`"other", "${base}-br"`, true],
      ['*', true],
      ['"other"', false],
      [`"${base}-deflate"`, false],
      ['', false],
    ];
    for (const [header, expected] of cases) expect(matchesEtag(encoded, header), header).toBe(expected);
  });
});

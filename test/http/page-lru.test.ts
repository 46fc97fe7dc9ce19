import { describe, expect, it } from 'vitest';
import { createPageLru } from '../../src/http/page-lru.js';
import { silentLogger } from '../../src/logger.js';
import type { EncodedFeed } from '../../src/publish/encode-feed.js';

/** A page of exactly `bytes` bytes in all: identity, gzip and brotli a third each. */
function page(bytes: number, versionKey = 'v1'): EncodedFeed {
  const third = Buffer.alloc(bytes / 3);
  return { body: third, gzip: third, br: third, etag: '"e"', lastModified: null, lastModifiedMs: null, contentType: 'text/html', versionKey };
}

function setup(maxBytes: number, sizes: Record<number, number>) {
  const builds: number[] = [];
  const lru = createPageLru<number>({
    maxBytes,
    freshMs: 60_000,
    version: async () => 'v1',
    build: async (key) => {
      builds.push(key);
      return key in sizes ? page(sizes[key]!) : null;
    },
    logger: silentLogger(),
    clock: () => 0,
  });
  return { lru, builds };
}

describe('createPageLru', () => {
  it('never holds more than its byte budget, dropping the least recently used first', async () => {
    const { lru, builds } = setup(900, { 1: 300, 2: 300, 3: 300, 4: 300 });
    for (const key of [1, 2, 3]) await lru.get(key);
    expect(lru.stats()).toEqual({ bytes: 900, pages: 3 });
    await lru.get(1); // most recently used now: 2 goes first
    await lru.get(4);
    expect(lru.stats()).toEqual({ bytes: 900, pages: 3 });
    builds.length = 0;
    for (const key of [1, 3, 4]) await lru.get(key);
    expect(builds).toEqual([]);
    await lru.get(2);
    expect(builds).toEqual([2]);
  });

  it('serves a page larger than the whole budget without keeping it', async () => {
    const { lru, builds } = setup(900, { 1: 300, 9: 1200 });
    await lru.get(1);
    expect((await lru.get(9))?.body.length).toBe(400);
    expect(lru.stats()).toEqual({ bytes: 300, pages: 1 });
    await lru.get(9);
    expect(builds).toEqual([1, 9, 9]);
  });

  it('keeps nothing for a key without a page', async () => {
    const { lru } = setup(900, {});
    for (let key = 0; key < 100; key++) expect(await lru.get(key)).toBeNull();
    expect(lru.stats()).toEqual({ bytes: 0, pages: 0 });
  });
});

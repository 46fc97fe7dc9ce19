import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPreparedCache, preparedBytes } from '../../src/dedup/create-prepared-cache.js';
import { prepare } from '../../src/dedup/compare-fingerprints.js';
import { splitLines } from '../../src/arabic/split-lines.js';
import { fingerprint } from '../../src/dedup/fingerprint.js';

const word = (i: number) => `كلمة${i}`;
const preparedOf = (words: number) => prepare(fingerprint('عنوان', splitLines(Array.from({ length: words }, (_, i) => word(i)).join(' '))));

describe('createPreparedCache (the story assigner keeps prepared fingerprints within a count and a byte budget)', () => {
  it('never holds more entries or bytes than it was given, whatever is stored in whatever order', () => {
    const sizes = [0, 5, 40, 400, 3000].map(preparedOf);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: sizes.length - 1 })), { maxLength: 200 }),
        (maxEntries, maxBytes, writes) => {
          const cache = createPreparedCache(maxEntries, maxBytes);
          for (const [id, size] of writes) {
            cache.set(String(id), sizes[size]);
            expect(cache.size).toBeLessThanOrEqual(maxEntries);
            expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops the least recently used first, and gives back what it holds', () => {
    const p = preparedOf(40);
    const cache = createPreparedCache(2, 10 * preparedBytes(p));
    cache.set('a', p);
    cache.set('b', p);
    cache.set('a', p);
    cache.set('c', p);
    expect(cache.get('a')).toBe(p);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe(p);
  });

  it('keeps no entry larger than the whole byte budget (and does not empty itself for one)', () => {
    const small = preparedOf(5);
    const big = preparedOf(3000);
    const cache = createPreparedCache(10, preparedBytes(big) - 1);
    cache.set('small', small);
    cache.set('big', big);
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('small')).toBe(small);
  });
});

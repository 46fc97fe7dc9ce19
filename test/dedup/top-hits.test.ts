import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topHits } from '../../src/dedup/top-hits.js';

describe('topHits (a batch index ranks candidates without sorting every hit)', () => {
  it('gives what sorting by hits (ties to the first stored) and cutting gives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 6 })), { maxLength: 300 }),
        fc.integer({ min: 0, max: 12 }),
        (pairs, limit) => {
          const hits = new Map<number, number>(pairs);
          expect(topHits(hits, limit)).toEqual([...hits].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, limit));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

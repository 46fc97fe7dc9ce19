import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntCounter } from '../../src/dedup/int-counter.js';

describe('IntCounter (the idf counts of the in-memory index and the word-count memo)', () => {
  it('holds what a Map would, through growth, for any int32 keys', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.oneof(fc.constant(-1), fc.nat(1000))), { maxLength: 3000 }), (ops) => {
        const counter = new IntCounter();
        const map = new Map<number, number>();
        for (const [key, value] of ops) {
          if (value < 0) {
            counter.increment(key);
            map.set(key, (map.get(key) ?? 0) + 1);
          } else {
            counter.set(key, value);
            map.set(key, value);
          }
        }
        expect(counter.size).toBe(map.size);
        for (const [key, value] of map) {
          expect(counter.get(key)).toBe(value);
          expect(counter.lookup(key)).toBe(value);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('tells a key held at 0 from one never set', () => {
    const counter = new IntCounter();
    counter.set(7, 0);
    expect(counter.lookup(7)).toBe(0);
    expect(counter.lookup(8)).toBe(-1);
    expect(counter.get(8)).toBe(0);
    expect(counter.size).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { splitLines } from '../../src/arabic/split-lines.js';
import { FINGERPRINT_VERSION, fingerprint, hashShingle, hashWord, intersectSize, shingles, sortedUnique } from '../../src/dedup/fingerprint.js';
import { packFingerprint, unpackFingerprint } from '../../src/dedup/pack-fingerprint.js';

describe('hashing', () => {
  it('is 32-bit, deterministic and pinned per fingerprint version (stored fingerprints depend on it)', () => {
    expect(FINGERPRINT_VERSION).toBe(3);
    expect(hashWord('طهران')).toBe(hashWord('طهران'));
    expect(Number.isInteger(hashWord('طهران')) && Math.abs(hashWord('طهران')) < 2 ** 31).toBe(true);
    // Pinned values: if these change, bump FINGERPRINT_VERSION.
    expect([hashWord('طهران'), hashWord('')]).toMatchInlineSnapshot(`
      [
        1686473022,
        -1505018407,
      ]
    `);
  });

  it('is order-sensitive for shingles', () => {
    const [a, b, c] = ['عقدت', 'محادثات', 'امنيه'].map(hashWord);
    expect(hashShingle(a, b, c)).not.toBe(hashShingle(c, b, a));
  });
});

describe('fingerprint', () => {
  it('keeps title words first, sentence ends, stems and figures', () => {
    const fp = fingerprint('عنوان الخبر', splitLines('وصلت الطائرة الثالثة. تحمل 30 طنا.'));
    expect(fp.titleWords).toBe(2);
    expect(fp.words).toHaveLength(8);
    expect([...fp.sentenceEnds]).toEqual([5, 8]);
    expect(fp.stems).toHaveLength(8);
    expect([...fp.numbers]).toEqual([...sortedUnique([hashWord('الثالثه'), hashWord('30')])]);
  });

  it('holds its hashes in Int32Arrays, which survive a copy between threads', () => {
    const fp = fingerprint('عنوان', splitLines('نص قصير هنا. وجملة ثانية فيها 12.'));
    for (const part of [fp.words, fp.stems, fp.sentenceEnds, fp.numbers]) expect(part).toBeInstanceOf(Int32Array);
    expect(structuredClone(fp)).toEqual(fp);
  });

  it('gives identical words for spelling variants of one text', () => {
    const a = fingerprint('«عاجل»', splitLines('أعلنت الوزارة إصابة ١٢ شخصاً.'));
    const b = fingerprint('"عاجل"', splitLines('اعلنت الوزاره اصابة 12 شخصا'));
    expect(b.words).toEqual(a.words);
  });
});

describe('shingles and intersections', () => {
  it.each([
    ['empty', [], 0],
    ['one word gives one shingle', [1], 1],
    ['two words give one shingle', [1, 2], 1],
    ['n words give n-2 distinct 3-grams', [1, 2, 3, 4, 5], 3],
    ['repeats collapse', [1, 2, 3, 1, 2, 3], 3],
  ])('%s', (_name, words, size) => {
    expect(shingles(words)).toHaveLength(size);
  });

  it.each([
    [[1, 3, 5], [2, 3, 5, 7], 2],
    [[], [1], 0],
    [[-5, 0, 9], [-5, 9], 2],
  ])('intersectSize(%j, %j) = %i', (a, b, n) => {
    expect(intersectSize(Int32Array.from(a), Int32Array.from(b))).toBe(n);
  });
});

describe('packed fingerprints (dedup_entries.fingerprint_packed)', () => {
  it('round-trip every field exactly, negative hashes included', () => {
    const fp = fingerprint('عنوان الخبر العاجل', splitLines('التقى وزير الخارجية نظيره في عمان.\nوبحث الجانبان ٣ ملفات في ٢٠٢٦.'));
    const back = unpackFingerprint(packFingerprint(fp));
    expect(back).toEqual(fp);
    expect(fp.words.some((w) => w < 0)).toBe(true);
    // The driver's bytes can sit at any offset of a larger buffer.
    const packed = packFingerprint(fp);
    const shifted = Buffer.alloc(packed.length + 3);
    packed.copy(shifted, 3);
    expect(unpackFingerprint(shifted.subarray(3))).toEqual(fp);
  });

  it('sortedUnique leaves its input as it was', () => {
    const words = Int32Array.of(5, -1, 5, 3);
    expect([...sortedUnique(words)]).toEqual([-1, 3, 5]);
    expect([...words]).toEqual([5, -1, 5, 3]);
  });

  it('refuse bytes that are not a packed fingerprint', () => {
    expect(() => unpackFingerprint(new Uint8Array(7))).toThrow(/bad length/);
    const bytes = packFingerprint(fingerprint('t', splitLines('نص')));
    expect(() => unpackFingerprint(bytes.subarray(0, bytes.length - 4))).toThrow(/do not add up/);
  });
});

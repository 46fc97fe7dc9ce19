import { describe, expect, it } from 'vitest';
import { acceptEncoding } from '../../src/http/accept-encoding.js';
import { MAX_CATEGORY_CHARS } from '../../src/config/limits.js';
import { PAGE_SIZES, parseCategory, parseLimit, roundLimitUp } from '../../src/http/parse-limit.js';

describe('acceptEncoding', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=1.0, br;q=0.5', 'gzip'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['deflate', 'identity'],
    ['identity', 'identity'],
    ['BR', 'br'],
    ['br;q=abc, gzip', 'gzip'],
  ];
  it.each(cases)('%j → %s', (header, expected) => {
    expect(acceptEncoding(header)).toBe(expected);
  });
});

describe('roundLimitUp', () => {
  it.each([
    [1, 20],
    [7, 20],
    [20, 20],
    [21, 50],
    [50, 50],
    [51, 100],
    [100, 100],
    [101, 200],
    [200, 200],
    [201, 500],
    [500, 500],
    [501, 500],
    [1e30, 500],
  ])('%d → %d', (limit, size) => {
    expect(roundLimitUp(limit)).toBe(size);
  });

  it('gives only the fixed page sizes, so a page has at most that many documents', () => {
    const sizes = new Set(Array.from({ length: 1000 }, (_, n) => roundLimitUp(n + 1)));
    expect([...sizes]).toEqual([...PAGE_SIZES]);
  });
});

describe('parseLimit', () => {
  const cases: [string | undefined, number | null][] = [
    [undefined, 50],
    ['1', 20],
    ['50', 50],
    ['51', 100],
    ['500', 500],
    ['501', 500],
    ['99999999999999999999999', 500],
    ['007', 20],
    ['0', null],
    ['-1', null],
    ['1.5', null],
    ['abc', null],
    ['', null],
    ['10abc', null],
    ['1e3', null],
  ];
  it.each(cases)('%j → %s', (raw, expected) => {
    const parsed = parseLimit(raw);
    if (expected === null) {
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(/limit/);
    } else expect(parsed).toEqual({ ok: true, value: expected });
  });
});

describe('parseCategory', () => {
  it.each([
    [undefined, { ok: true, value: null }],
    ['', { ok: true, value: null }],
    ['  sport ', { ok: true, value: 'sport' }],
    ['ثقافة', { ok: true, value: 'ثقافة' }],
  ])('%j → %j', (raw, expected) => {
    expect(parseCategory(raw)).toEqual(expected);
  });

  it('rejects control characters and overlong values', () => {
    expect(parseCategory('a\nb').ok).toBe(false);
    expect(parseCategory('x'.repeat(MAX_CATEGORY_CHARS)).ok).toBe(true);
    expect(parseCategory('x'.repeat(MAX_CATEGORY_CHARS + 1)).ok).toBe(false);
  });
});

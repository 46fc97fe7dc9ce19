import { describe, expect, it } from 'vitest';
import { acceptEncoding } from '../../src/http/accept-encoding.js';
import { parseCategory, parseLimit } from '../../src/http/parse-limit.js';

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

describe('parseLimit', () => {
  const cases: [string | undefined, number | null][] = [
    [undefined, 50],
    ['1', 1],
    ['50', 50],
    ['500', 500],
    ['501', 500],
    ['99999999999999999999999', 500],
    ['007', 7],
    ['0', null],
    ['-1', null],
    ['1.5', null],
    ['abc', null],
    ['', null],
    ['10abc', null],
    ['1e3', null],
  ];
  it.each(cases)('%j → %s', (raw, expected) => {
    const parsed = parseLimit(raw, 50, 500);
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
    expect(parseCategory('x'.repeat(65)).ok).toBe(false);
  });
});

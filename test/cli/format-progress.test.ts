import { describe, expect, it } from 'vitest';
import { formatProgress, formatRate, type ProgressSnapshot } from '../../src/cli-progress/format-progress.js';

describe('formatProgress', () => {
  it.each<[string, ProgressSnapshot, string]>([
    ['fetch at the start', { label: 'fetch', elapsedMs: 0, items: 0, feedsDone: 0, feedsTotal: 12, errors: 0 }, 'fetch: 0/12 feeds, 0 items, 0 items/s, 0 errors, 0.0 s'],
    ['fetch, one of each', { label: 'fetch', elapsedMs: 1000, items: 1, feedsDone: 1, feedsTotal: 1, errors: 1 }, 'fetch: 1/1 feeds, 1 item, 1.0 items/s, 1 error, 1.0 s'],
    ['fetch, a slow pass', { label: 'fetch', elapsedMs: 2600, items: 12, feedsDone: 3, feedsTotal: 10, errors: 2 }, 'fetch: 3/10 feeds, 12 items, 4.6 items/s, 2 errors, 2.6 s'],
    ['fetch, a fast pass', { label: 'fetch', elapsedMs: 2650, items: 120, feedsDone: 9, feedsTotal: 10, errors: 0 }, 'fetch: 9/10 feeds, 120 items, 45 items/s, 0 errors, 2.6 s'],
    ['cluster', { label: 'cluster', elapsedMs: 500, items: 1200, stories: 800 }, 'cluster: 1200 items, 2400 items/s, 800 stories, 0.5 s'],
    ['cluster, one story', { label: 'cluster', elapsedMs: 10, items: 1, stories: 1 }, 'cluster: 1 item, 100 items/s, 1 story, 0.0 s'],
    ['a clock that went backwards', { label: 'cluster', elapsedMs: -5, items: 3, stories: 2 }, 'cluster: 3 items, 0 items/s, 2 stories, 0.0 s'],
  ])('%s', (_name, snapshot, line) => {
    expect(formatProgress(snapshot)).toBe(line);
  });

  it('never puts a control character in the line', () => {
    const line = formatProgress({ label: 'fetch', elapsedMs: 123_456, items: 98_765, feedsDone: 499, feedsTotal: 500, errors: 17 });
    expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it.each([
    [0, 1000, '0'],
    [5, 0, '0'],
    [1, 3000, '0.3'],
    [99, 10_000, '9.9'],
    [100, 10_000, '10'],
    [3886, 1000, '3886'],
  ])('formatRate(%d items, %d ms) is %s', (items, ms, rate) => {
    expect(formatRate(items, ms)).toBe(rate);
  });
});

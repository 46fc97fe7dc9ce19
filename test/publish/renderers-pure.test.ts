import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAtom } from '../../src/publish/render-atom.js';
import { renderJsonFeed } from '../../src/publish/render-json-feed.js';
import { renderRss } from '../../src/publish/render-rss.js';
import type { MergedFeed } from '../../src/publish/types.js';
import { emptyFeed, sampleFeed } from './sample-feed.js';

/** Frozen all the way down: a renderer that wrote to its input would throw (ES modules are strict). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

const renderers: Array<[string, (feed: MergedFeed) => string]> = [
  ['renderRss', renderRss],
  ['renderAtom', renderAtom],
  ['renderJsonFeed', renderJsonFeed],
];

describe.each(renderers)('%s is pure: data → text', (_, render) => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['the sample feed', sampleFeed],
    ['an empty feed', emptyFeed],
  ])('%s: same data, same text, whatever the clock, without touching the data', (_, make) => {
    const expected = render(make());
    const frozen = deepFreeze(make());
    vi.useFakeTimers();
    for (const now of ['2000-01-01T00:00:00Z', '2099-12-31T23:59:59Z']) {
      vi.setSystemTime(new Date(now));
      expect(render(frozen)).toBe(expected);
    }
    expect(frozen).toEqual(make());
  });

  it("shows a member's changed headline", () => {
    const feed = sampleFeed();
    const changed = sampleFeed();
    changed.stories[0].sources[1] = { ...changed.stories[0].sources[1], title: 'عنوان آخر' };
    expect(render(changed)).not.toBe(render(feed));
    expect(render(changed)).toContain('عنوان آخر');
  });
});
